import type { ObjectInfo, ObjectMetadata, StoredChecksum } from '../object-store.js';

/** The stored headers S3 keeps with an object, by our (lower-case header) name and the SDK's member. */
const headerMembers = [
  ['cache-control', 'CacheControl'],
  ['content-disposition', 'ContentDisposition'],
  ['content-encoding', 'ContentEncoding'],
  ['content-language', 'ContentLanguage'],
] as const;

const checksumMembers = {
  CRC32: 'ChecksumCRC32',
  CRC32C: 'ChecksumCRC32C',
  CRC64NVME: 'ChecksumCRC64NVME',
  SHA1: 'ChecksumSHA1',
  SHA256: 'ChecksumSHA256',
} as const;

/** Request members (PutObject, CreateMultipartUpload, CopyObject with REPLACE) that store `metadata`. */
export interface MetadataMembers {
  ContentType?: string;
  Metadata?: Record<string, string>;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
}

export function metadataMembers(metadata: ObjectMetadata): MetadataMembers {
  const members: MetadataMembers = { Metadata: { ...metadata.userMetadata } };
  if (metadata.contentType !== undefined) members.ContentType = metadata.contentType;
  for (const [header, member] of headerMembers) {
    const value = metadata.headers[header];
    if (value !== undefined) members[member] = value;
  }
  const expires = metadata.headers['expires'];
  if (expires !== undefined && !Number.isNaN(Date.parse(expires))) members.Expires = new Date(expires);
  return members;
}

/** The checksum member (`ChecksumCRC32: <base64>` …) that makes S3 verify and store a full-object checksum. */
export function checksumMember(checksum: StoredChecksum | undefined): Record<string, string> {
  return checksum && checksum.type === 'FULL_OBJECT' ? { [checksumMembers[checksum.algorithm]]: checksum.value } : {};
}

/** Members of HeadObject/GetObject output this adapter reads. */
export interface ObjectOutput extends MetadataMembers {
  ExpiresString?: string;
  ETag?: string;
  LastModified?: Date;
  ContentLength?: number;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

/** Our ObjectInfo from a HEAD/GET response; `size` is the whole object's size (not a range's). */
export function objectInfoFrom(bucket: string, key: string, size: number, output: ObjectOutput): ObjectInfo {
  const headers: Record<string, string> = {};
  for (const [header, member] of headerMembers) {
    const value = output[member];
    if (value !== undefined) headers[header] = value;
  }
  const expires = output.ExpiresString ?? output.Expires?.toUTCString();
  if (expires !== undefined) headers['expires'] = expires;
  let checksum: StoredChecksum | undefined;
  for (const [algorithm, member] of Object.entries(checksumMembers) as [StoredChecksum['algorithm'], keyof ObjectOutput][]) {
    const value = output[member];
    if (typeof value === 'string') {
      const type = output.ChecksumType === 'COMPOSITE' || /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT';
      checksum = { algorithm, value, type };
    }
  }
  return {
    bucket,
    key,
    size,
    etag: output.ETag ?? '""',
    lastModified: output.LastModified ?? new Date(),
    ...(output.ContentType !== undefined ? { contentType: output.ContentType } : {}),
    userMetadata: lowerCaseKeys(output.Metadata ?? {}),
    headers,
    ...(checksum ? { checksum } : {}),
  };
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value]));
}
