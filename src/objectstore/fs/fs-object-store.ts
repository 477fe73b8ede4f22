import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BucketAlreadyOwnedByYou, BucketNotEmpty, InvalidRange, NoSuchBucket, NoSuchKey } from '../../errors/index.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { quoteEtag } from '../multipart-etag.js';
import type {
  BucketInfo,
  ByteRange,
  CompletedPart,
  ListObjectsInput,
  ListObjectsResult,
  MultipartUploadInfo,
  ObjectInfo,
  ObjectMetadata,
  ObjectStore,
  PartInfo,
  PutObjectInput,
  StoredChecksum,
} from '../object-store.js';
import { validateBucketName, validateObjectKey } from '../validate-names.js';
import type { BucketIndex } from './bucket-index.js';
import { FsMultipartUploads } from './fs-multipart-uploads.js';
import { fsyncDir, isErrno, mapLimit, removeDirAtomically } from './fs-util.js';
import { fanOutDirs, FsLayout } from './layout.js';
import { loadBucketIndex } from './load-bucket-index.js';
import { objectToRecord, pickMetadata, recordToObject } from './records.js';
import { readTrailer } from './trailer.js';
import { copyRange } from './copy-range.js';
import { writeStreamToFile, type WrittenData } from './file-writer.js';
import { createMd5 } from './md5-pool.js';
import { writeTempFile } from './temp-file.js';

/** A name that is no valid bucket name names no bucket (and must never become a path). */
function assertBucketName(bucket: string): void {
  try {
    validateBucketName(bucket);
  } catch (error) {
    throw new NoSuchBucket(bucket);
  }
}

/** Temp directories of the stores open in this process (never cleaned by another store's open). */
const liveTmpDirs = new Set<string>();

/** Read-ahead of object bodies. */
const readBuffer = 1024 * 1024;

/**
 * The embedded object store: buckets and objects as files under `root` (normally `<dataDir>/objects`;
 * layout in {@link FsLayout}). Bodies stream to and from disk; MD5 ETags are computed while streaming.
 *
 * Atomicity: an object is ONE file — data followed by a metadata trailer — written in tmp/, fsynced
 * and renamed over the key's file, so data and metadata change together and a reader sees the old
 * object or the new one whole, even after kill -9 (tmp/ is emptied at start). Renames of one key are
 * serialised with the in-memory index update, so concurrent PUTs end with the last committer's object
 * on disk and in the index. A GET reads from the file it opened, so an overwrite or delete meanwhile
 * does not disturb it. One process owns a root at a time.
 *
 * Listing uses an in-memory index per bucket ({@link BucketIndex}), built from the object files the
 * first time a bucket is listed or written, so it is always what is on disk.
 */
export class FsObjectStore implements ObjectStore {
  private readonly layout: FsLayout;
  private readonly indexes = new Map<string, Promise<BucketIndex>>();
  private readonly keyLocks = new KeyedMutex();
  private readonly multipart: FsMultipartUploads;

  private constructor(root: string) {
    this.layout = new FsLayout(root);
    this.multipart = new FsMultipartUploads(this.layout, {
      assertBucket: (bucket) => this.assertBucket(bucket),
      commit: (tempPath, info) => this.commit(tempPath, info),
    });
  }

  /**
   * Opens (creating if needed) a store under `root` and removes what a crash left in tmp/ (temp dirs
   * of other stores still open in this process are left alone). Open one store per root and share it:
   * a second instance over the same root works, but its listings miss the first one's later writes.
   */
  static async open(root: string): Promise<FsObjectStore> {
    const store = new FsObjectStore(root);
    await mkdir(store.layout.tmpDir, { recursive: true });
    for (const entry of await readdir(store.layout.tmpDir)) {
      const dir = path.join(store.layout.tmpDir, entry);
      if (!liveTmpDirs.has(dir)) await rm(dir, { recursive: true, force: true });
    }
    await mkdir(store.layout.instanceTmpDir);
    liveTmpDirs.add(store.layout.instanceTmpDir);
    await mkdir(store.layout.bucketsDir, { recursive: true });
    return store;
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const names = (await readdir(this.layout.bucketsDir)).sort();
    const buckets = await mapLimit(names, 16, (name) => this.readBucket(name).catch(() => undefined));
    return buckets.filter((bucket): bucket is BucketInfo => bucket !== undefined);
  }

  async createBucket(bucket: string): Promise<void> {
    validateBucketName(bucket);
    // Build the whole bucket directory in tmp/, then rename it into place: it exists complete or not at all.
    const staging = this.layout.tempPath();
    await mkdir(path.join(staging, 'uploads'), { recursive: true });
    await mapLimit(fanOutDirs, 16, (dir) => mkdir(path.join(staging, 'objects', dir), { recursive: true }));
    await writeFile(path.join(staging, 'bucket.json'), JSON.stringify({ creationDate: Date.now() }), { flush: true });
    try {
      await rename(staging, this.layout.bucketDir(bucket));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (isErrno(error, 'EEXIST', 'ENOTEMPTY')) throw new BucketAlreadyOwnedByYou(bucket);
      throw error;
    }
    await fsyncDir(this.layout.bucketsDir);
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    return this.readBucket(bucket);
  }

  async deleteBucket(bucket: string): Promise<void> {
    const index = await this.index(bucket);
    const uploads = await readdir(this.layout.uploadsDir(bucket)).catch(() => []);
    if (index.closed) throw new NoSuchBucket(bucket);
    if (index.size > 0 || index.pendingCommits > 0 || uploads.length > 0) throw new BucketNotEmpty(bucket);
    index.closed = true;
    try {
      if (!(await removeDirAtomically(this.layout, this.layout.bucketDir(bucket)))) throw new NoSuchBucket(bucket);
    } catch (error) {
      index.closed = false;
      throw error;
    } finally {
      this.indexes.delete(bucket);
    }
  }

  async putObject(bucket: string, key: string, input: PutObjectInput): Promise<ObjectInfo> {
    validateObjectKey(key);
    await this.index(bucket);
    const { path: temp, result: info } = await writeTempFile(
      this.layout,
      (file) => writeStreamToFile(input.body, file, { md5: true }),
      ({ size, md5 }) => {
        const metadata = typeof input.metadata === 'function' ? input.metadata() : input.metadata;
        const info: ObjectInfo = { bucket, key, size, etag: quoteEtag(md5 as Buffer), lastModified: new Date(), ...pickMetadata(metadata) };
        return { trailer: objectToRecord(info), result: info };
      },
    );
    await this.commit(temp, info);
    return info;
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable }> {
    const { file, info } = await this.openObject(bucket, key);
    try {
      if (range && (range.start < 0 || range.start > range.end || range.end >= info.size)) {
        throw new InvalidRange(info.size, `bytes=${range.start}-${range.end}`);
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? info.size - 1;
      if (end < start) {
        await file.close();
        return { info, body: Readable.from([]) };
      }
      return { info, body: file.createReadStream({ start, end, highWaterMark: readBuffer, autoClose: true }) };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const { file, info } = await this.openObject(bucket, key);
    await file.close();
    return info;
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    validateObjectKey(key);
    const index = await this.index(bucket);
    const file = this.layout.objectPath(bucket, key);
    await this.keyLocks.run(`${bucket}/${key}`, async () => {
      await rm(file, { force: true });
      index.delete(key);
    });
  }

  async copyObject(source: { bucket: string; key: string }, target: { bucket: string; key: string }, metadata?: ObjectMetadata): Promise<ObjectInfo> {
    validateObjectKey(target.key);
    await this.index(target.bucket);
    const { file, info: from } = await this.openObject(source.bucket, source.key);
    try {
      const copy = async (target: FileHandle): Promise<WrittenData> => {
        const md5 = createMd5();
        try {
          await copyRange(file, 0, from.size, target, 0, undefined, md5);
        } catch (error) {
          md5.digest().catch(() => undefined);
          throw error;
        }
        return { size: from.size, md5: await md5.digest() };
      };
      const { path: temp, result: info } = await writeTempFile(this.layout, copy, ({ size, md5 }) => {
        // A composite checksum describes the source's parts, which the copy does not have.
        const checksum = metadata?.checksum ?? (from.checksum?.type === 'FULL_OBJECT' ? from.checksum : undefined);
        const kept = pickMetadata({ ...(metadata ?? from), ...(checksum ? { checksum } : { checksum: undefined }) });
        const info: ObjectInfo = { bucket: target.bucket, key: target.key, size, etag: quoteEtag(md5 as Buffer), lastModified: new Date(), ...kept };
        return { trailer: objectToRecord(info), result: info };
      });
      await this.commit(temp, info);
      return info;
    } finally {
      await file.close();
    }
  }

  async listObjects(bucket: string, input: ListObjectsInput): Promise<ListObjectsResult> {
    return (await this.index(bucket)).list(input);
  }

  createMultipartUpload(bucket: string, key: string, metadata: ObjectMetadata): Promise<MultipartUploadInfo> {
    return this.multipart.create(bucket, key, metadata);
  }

  uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    checksum?: () => StoredChecksum | undefined,
  ): Promise<PartInfo> {
    return this.multipart.uploadPart(bucket, key, uploadId, partNumber, body, checksum);
  }

  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<ObjectInfo> {
    return this.multipart.complete(bucket, key, uploadId, parts);
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return this.multipart.abort(bucket, key, uploadId);
  }

  listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    return this.multipart.listParts(bucket, key, uploadId);
  }

  listMultipartUploads(bucket: string, prefix?: string): Promise<MultipartUploadInfo[]> {
    return this.multipart.list(bucket, prefix);
  }

  /** Renames a finished temp file over the key's file and records it in the index, one commit per key at a time. */
  private async commit(temp: string, info: ObjectInfo): Promise<void> {
    const file = this.layout.objectPath(info.bucket, info.key);
    try {
      const index = await this.index(info.bucket);
      await this.keyLocks.run(`${info.bucket}/${info.key}`, async () => {
        if (index.closed) throw new NoSuchBucket(info.bucket);
        index.pendingCommits++;
        try {
          await rename(temp, file);
          index.set(info);
        } catch (error) {
          throw isErrno(error, 'ENOENT') ? new NoSuchBucket(info.bucket) : error;
        } finally {
          index.pendingCommits--;
        }
      });
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await fsyncDir(path.dirname(file));
  }

  /** The bucket's index, loaded on first use. Throws NoSuchBucket (also for invalid names). */
  private index(bucket: string): Promise<BucketIndex> {
    let index = this.indexes.get(bucket);
    if (!index) {
      index = this.assertBucket(bucket).then(() => loadBucketIndex(this.layout, bucket));
      this.indexes.set(bucket, index);
      index.catch(() => this.indexes.delete(bucket));
    }
    return index;
  }

  private async assertBucket(bucket: string): Promise<void> {
    await this.readBucket(bucket);
  }

  /** Reads bucket.json. Throws NoSuchBucket, also for a name that is not a valid bucket name (never a path). */
  private async readBucket(bucket: string): Promise<BucketInfo> {
    assertBucketName(bucket);
    let text: string;
    try {
      text = await readFile(this.layout.bucketFile(bucket), 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) throw new NoSuchBucket(bucket);
      throw error;
    }
    const record = JSON.parse(text) as { creationDate: number };
    return { name: bucket, creationDate: new Date(record.creationDate) };
  }

  /** Opens the key's file and reads its trailer. Throws NoSuchBucket or NoSuchKey. */
  private async openObject(bucket: string, key: string): Promise<{ file: FileHandle; info: ObjectInfo }> {
    assertBucketName(bucket);
    validateObjectKey(key);
    let file: FileHandle;
    try {
      file = await open(this.layout.objectPath(bucket, key), 'r');
    } catch (error) {
      if (!isErrno(error, 'ENOENT', 'ENOTDIR')) throw error;
      await this.assertBucket(bucket);
      throw new NoSuchKey(key);
    }
    try {
      const { value, dataSize } = await readTrailer(file);
      const info = recordToObject(bucket, value);
      if (info.key !== key || info.size !== dataSize) throw new NoSuchKey(key);
      return { file, info };
    } catch (error) {
      await file.close();
      throw error;
    }
  }
}
