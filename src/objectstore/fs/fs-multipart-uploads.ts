import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EntityTooSmall, InvalidPart, InvalidPartOrder, MalformedXML, NoSuchUpload } from '../../errors/index.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { compositeChecksum, multipartEtag, quoteEtag, unquoteEtag } from '../multipart-etag.js';
import type { CompletedPart, MultipartUploadInfo, ObjectInfo, ObjectMetadata, PartInfo, StoredChecksum } from '../object-store.js';
import { compareUtf8 } from '../utf8-order.js';
import { validateObjectKey, validatePartNumber } from '../validate-names.js';
import { fsyncDir, isErrno, mapLimit, removeDirAtomically } from './fs-util.js';
import type { FsLayout } from './layout.js';
import { objectToRecord, partToRecord, pickMetadata, recordToPart, type UploadRecord } from './records.js';
import { copyBuffers, copyRange } from './copy-range.js';
import { writeStreamToFile, type WrittenData } from './file-writer.js';
import { writeTempFile } from './temp-file.js';
import { readTrailer } from './trailer.js';

/** S3's smallest size for every part but the last. */
export const minPartSize = 5 * 1024 * 1024;

const uploadIdPattern = /^[0-9a-f]{32}$/;
const partFilePattern = /^part-\d{5}$/;

/** What multipart uploads need from the store that owns them. */
export interface MultipartHost {
  /** Throws NoSuchBucket. */
  assertBucket(bucket: string): Promise<void>;
  /** Renames a finished object temp file into place (see FsObjectStore). */
  commit(tempPath: string, info: ObjectInfo): Promise<void>;
}

/**
 * Multipart uploads of the file-system store. An upload is a directory `uploads/<id>/` (created in
 * tmp/ and renamed into place) with `upload.json` and one file per part, each `<data><trailer>`
 * written like an object and renamed over any earlier part of that number. Completion streams the
 * listed parts into one object file and commits it like a PUT, then removes the upload directory.
 */
export class FsMultipartUploads {
  private readonly uploadLocks = new KeyedMutex();

  constructor(
    private readonly layout: FsLayout,
    private readonly host: MultipartHost,
  ) {}

  async create(bucket: string, key: string, metadata: ObjectMetadata): Promise<MultipartUploadInfo> {
    validateObjectKey(key);
    await this.host.assertBucket(bucket);
    const uploadId = randomBytes(16).toString('hex');
    const initiated = new Date();
    const record: UploadRecord = { key, initiated: initiated.getTime(), metadata: pickMetadata(metadata) };
    const staging = this.layout.tempPath();
    await mkdir(staging);
    await writeFile(path.join(staging, 'upload.json'), JSON.stringify(record), { flush: true });
    try {
      await rename(staging, this.layout.uploadDir(bucket, uploadId));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (isErrno(error, 'ENOENT')) await this.host.assertBucket(bucket);
      throw error;
    }
    await fsyncDir(this.layout.uploadsDir(bucket));
    return { bucket, key, uploadId, initiated, metadata: record.metadata };
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    checksum?: () => StoredChecksum | undefined,
  ): Promise<PartInfo> {
    await this.readUpload(bucket, key, uploadId);
    validatePartNumber(partNumber);
    const { path: temp, result: part } = await writeTempFile(
      this.layout,
      (file) => writeStreamToFile(body, file, { md5: true }),
      ({ size, md5 }) => {
        const sum = checksum?.();
        const part: PartInfo = { partNumber, etag: quoteEtag(md5 as Buffer), size, lastModified: new Date(), ...(sum ? { checksum: sum } : {}) };
        return { trailer: partToRecord(part), result: part };
      },
    );
    try {
      await rename(temp, this.layout.partPath(bucket, uploadId, partNumber));
    } catch (error) {
      await rm(temp, { force: true });
      throw isErrno(error, 'ENOENT') ? new NoSuchUpload(uploadId) : error;
    }
    await fsyncDir(this.layout.uploadDir(bucket, uploadId)).catch(() => undefined);
    return part;
  }

  /**
   * Validates the part list (ascending → InvalidPartOrder; uploaded with that ETag → InvalidPart; all
   * but the last ≥ 5 MiB → EntityTooSmall), streams the parts into one object and commits it.
   */
  complete(bucket: string, key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<ObjectInfo> {
    return this.uploadLocks.run(uploadId, async () => {
      const upload = await this.readUpload(bucket, key, uploadId);
      if (parts.length === 0) throw new MalformedXML();
      for (let i = 1; i < parts.length; i++) {
        if ((parts[i]?.partNumber ?? 0) <= (parts[i - 1]?.partNumber ?? 0)) throw new InvalidPartOrder();
      }
      const stored = await mapLimit(parts, 16, (part) => this.readPart(bucket, uploadId, part));
      stored.forEach((part, i) => {
        if (i < stored.length - 1 && part.size < minPartSize) throw new EntityTooSmall();
      });
      const { path: temp, result: info } = await writeTempFile(
        this.layout,
        (file) => this.concatParts(bucket, uploadId, stored, file),
        ({ size }) => {
          const checksum = compositeChecksum(stored.map((part) => part.checksum));
          const info: ObjectInfo = {
            bucket,
            key,
            size,
            etag: multipartEtag(stored.map((part) => part.etag)),
            lastModified: new Date(),
            ...pickMetadata({ ...upload.metadata, checksum }),
          };
          return { trailer: objectToRecord(info), result: info };
        },
      );
      await this.host.commit(temp, info);
      await removeDirAtomically(this.layout, this.layout.uploadDir(bucket, uploadId));
      return info;
    });
  }

  abort(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.uploadLocks.run(uploadId, async () => {
      await this.readUpload(bucket, key, uploadId);
      if (!(await removeDirAtomically(this.layout, this.layout.uploadDir(bucket, uploadId)))) throw new NoSuchUpload(uploadId);
    });
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    await this.readUpload(bucket, key, uploadId);
    const names = (await readdir(this.layout.uploadDir(bucket, uploadId)).catch(() => [])).filter((name) => partFilePattern.test(name));
    const parts = await mapLimit(names, 16, async (name) => {
      const file = await open(path.join(this.layout.uploadDir(bucket, uploadId), name), 'r').catch(() => undefined);
      if (!file) return undefined;
      try {
        return recordToPart((await readTrailer(file)).value);
      } finally {
        await file.close();
      }
    });
    return parts.filter((part): part is PartInfo => part !== undefined).sort((a, b) => a.partNumber - b.partNumber);
  }

  async list(bucket: string, prefix = ''): Promise<MultipartUploadInfo[]> {
    await this.host.assertBucket(bucket);
    const ids = (await readdir(this.layout.uploadsDir(bucket)).catch(() => [])).filter((id) => uploadIdPattern.test(id));
    const uploads = await mapLimit(ids, 16, async (uploadId) => {
      const record = await this.readUploadRecord(bucket, uploadId);
      return record && record.key.startsWith(prefix)
        ? { bucket, key: record.key, uploadId, initiated: new Date(record.initiated), metadata: record.metadata }
        : undefined;
    });
    return uploads
      .filter((upload): upload is MultipartUploadInfo => upload !== undefined)
      .sort((a, b) => compareUtf8(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime() || (a.uploadId < b.uploadId ? -1 : 1));
  }

  /** The upload's record. Throws NoSuchBucket, or NoSuchUpload (unknown id, or one for another key). */
  private async readUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    await this.host.assertBucket(bucket);
    const record = uploadIdPattern.test(uploadId) ? await this.readUploadRecord(bucket, uploadId) : undefined;
    if (!record || record.key !== key) throw new NoSuchUpload(uploadId);
    return record;
  }

  private async readUploadRecord(bucket: string, uploadId: string): Promise<UploadRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.layout.uploadFile(bucket, uploadId), 'utf8')) as UploadRecord;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  /** The stored part a CompletedPart names. Throws InvalidPart if missing or its ETag differs. */
  private async readPart(bucket: string, uploadId: string, wanted: CompletedPart): Promise<PartInfo> {
    validatePartNumber(wanted.partNumber);
    const file = await open(this.layout.partPath(bucket, uploadId, wanted.partNumber), 'r').catch(() => undefined);
    if (!file) throw new InvalidPart(wanted.partNumber);
    try {
      const part = recordToPart((await readTrailer(file)).value);
      if (unquoteEtag(part.etag) !== unquoteEtag(wanted.etag)) throw new InvalidPart(wanted.partNumber);
      return part;
    } finally {
      await file.close();
    }
  }

  /** Copies the parts' data in order into `target`, from the files as validated (a part replaced meanwhile → InvalidPart). */
  private async concatParts(bucket: string, uploadId: string, parts: readonly PartInfo[], target: FileHandle): Promise<WrittenData> {
    const buffers = copyBuffers();
    let size = 0;
    for (const expected of parts) {
      const file = await open(this.layout.partPath(bucket, uploadId, expected.partNumber), 'r').catch(() => undefined);
      if (!file) throw new InvalidPart(expected.partNumber);
      try {
        const part = recordToPart((await readTrailer(file)).value);
        if (part.etag !== expected.etag || part.size !== expected.size) throw new InvalidPart(expected.partNumber);
        await copyRange(file, 0, part.size, target, size, buffers);
        size += part.size;
      } finally {
        await file.close();
      }
    }
    return { size };
  }
}
