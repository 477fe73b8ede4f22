import type { ObjectInfo, ObjectMetadata, PartInfo, StoredChecksum } from '../object-store.js';
import { CorruptObjectFile } from './trailer.js';

/** An object file's trailer. */
interface ObjectRecord {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType?: string;
  readonly userMetadata: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly checksum?: StoredChecksum;
}

/** A part file's trailer. */
interface PartRecord {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: number;
  readonly checksum?: StoredChecksum;
}

/** upload.json of a multipart upload. */
export interface UploadRecord {
  readonly key: string;
  readonly initiated: number;
  readonly metadata: ObjectMetadata;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Only the metadata fields of `metadata` (callers may pass richer objects). */
export function pickMetadata(metadata: ObjectMetadata): ObjectMetadata {
  return {
    ...(metadata.contentType !== undefined ? { contentType: metadata.contentType } : {}),
    userMetadata: { ...metadata.userMetadata },
    headers: { ...metadata.headers },
    ...(metadata.checksum ? { checksum: { ...metadata.checksum } } : {}),
  };
}

export function objectToRecord(info: ObjectInfo): ObjectRecord {
  return { key: info.key, size: info.size, etag: info.etag, lastModified: info.lastModified.getTime(), ...pickMetadata(info) } as ObjectRecord;
}

export function recordToObject(bucket: string, value: unknown): ObjectInfo {
  if (
    !isObject(value) ||
    typeof value.key !== 'string' ||
    typeof value.size !== 'number' ||
    typeof value.etag !== 'string' ||
    typeof value.lastModified !== 'number'
  ) {
    throw new CorruptObjectFile('bad object trailer');
  }
  const record = value as unknown as ObjectRecord;
  return {
    bucket,
    key: record.key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.lastModified),
    ...(record.contentType !== undefined ? { contentType: record.contentType } : {}),
    userMetadata: record.userMetadata ?? {},
    headers: record.headers ?? {},
    ...(record.checksum ? { checksum: record.checksum } : {}),
  };
}

export function partToRecord(part: PartInfo): PartRecord {
  return {
    partNumber: part.partNumber,
    etag: part.etag,
    size: part.size,
    lastModified: part.lastModified.getTime(),
    ...(part.checksum ? { checksum: part.checksum } : {}),
  };
}

export function recordToPart(value: unknown): PartInfo {
  if (
    !isObject(value) ||
    typeof value.partNumber !== 'number' ||
    typeof value.etag !== 'string' ||
    typeof value.size !== 'number' ||
    typeof value.lastModified !== 'number'
  ) {
    throw new CorruptObjectFile('bad part trailer');
  }
  const record = value as unknown as PartRecord;
  return {
    partNumber: record.partNumber,
    etag: record.etag,
    size: record.size,
    lastModified: new Date(record.lastModified),
    ...(record.checksum ? { checksum: record.checksum } : {}),
  };
}
