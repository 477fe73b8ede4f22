import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';

/**
 * Where the file-system store keeps things under its root (`<dataDir>/objects`):
 *
 * ```
 * tmp/<instance>/<uuid>                      files being written, dirs being removed (one dir per open
 *                                            store; what no live store of this process owns is removed at open)
 * buckets/<bucket>/bucket.json               the bucket exists (creation date)
 * buckets/<bucket>/objects/<hh>/<sha256>     one file per object: data, then a metadata trailer
 * buckets/<bucket>/uploads/<id>/upload.json  a multipart upload in progress (key, metadata)
 * buckets/<bucket>/uploads/<id>/part-<n>     an uploaded part: data, then a part trailer
 * ```
 *
 * Object files are named by the SHA-256 of the key (`<hh>` = its first two hex digits), so any key —
 * `..`, slashes, 1024 bytes of unicode, a key that is another key's prefix — maps to one flat file name
 * and none can escape the root. Bucket names and upload ids are validated before they become paths.
 */
export class FsLayout {
  readonly tmpDir: string;
  /** This instance's own directory under tmp/. */
  readonly instanceTmpDir: string;
  readonly bucketsDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.instanceTmpDir = path.join(this.tmpDir, randomUUID());
    this.bucketsDir = path.join(root, 'buckets');
  }

  /** A fresh path in this instance's tmp dir (same file system as the buckets, so a rename commits it). */
  tempPath(): string {
    return path.join(this.instanceTmpDir, randomUUID());
  }

  bucketDir(bucket: string): string {
    return path.join(this.bucketsDir, bucket);
  }

  bucketFile(bucket: string): string {
    return path.join(this.bucketsDir, bucket, 'bucket.json');
  }

  objectsDir(bucket: string): string {
    return path.join(this.bucketsDir, bucket, 'objects');
  }

  objectPath(bucket: string, key: string): string {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    return path.join(this.bucketsDir, bucket, 'objects', hash.slice(0, 2), hash);
  }

  uploadsDir(bucket: string): string {
    return path.join(this.bucketsDir, bucket, 'uploads');
  }

  uploadDir(bucket: string, uploadId: string): string {
    return path.join(this.bucketsDir, bucket, 'uploads', uploadId);
  }

  uploadFile(bucket: string, uploadId: string): string {
    return path.join(this.uploadDir(bucket, uploadId), 'upload.json');
  }

  partPath(bucket: string, uploadId: string, partNumber: number): string {
    return path.join(this.uploadDir(bucket, uploadId), `part-${String(partNumber).padStart(5, '0')}`);
  }
}

/** The 256 fan-out directory names under `objects/`. */
export const fanOutDirs: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
