import type { Readable } from 'node:stream';

/** A bucket as listed. */
export interface BucketInfo {
  readonly name: string;
  readonly creationDate: Date;
}

/** A checksum S3 stores with an object (`x-amz-checksum-<algorithm>`), base64 as on the wire. */
export interface StoredChecksum {
  readonly algorithm: 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
  readonly value: string;
  /** FULL_OBJECT, or COMPOSITE for a multipart object's checksum of part checksums (`…-N`). */
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Metadata kept with an object and given back on GET/HEAD. */
export interface ObjectMetadata {
  readonly contentType?: string;
  /** `x-amz-meta-*` without the prefix, names lower-cased. */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** Other stored headers: cache-control, content-disposition, content-encoding, content-language, expires. */
  readonly headers: Readonly<Record<string, string>>;
  readonly checksum?: StoredChecksum;
}

/** An object as stored. */
export interface ObjectInfo extends ObjectMetadata {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"` or `"<md5 of part md5s>-<N>"`. */
  readonly etag: string;
  readonly lastModified: Date;
}

/** An inclusive byte range, already resolved against the object's size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutObjectInput {
  readonly body: Readable;
  /**
   * Metadata to store; a function is called after the body has been read whole (so a checksum
   * computed while streaming can be stored). If the body stream errors, nothing is stored.
   */
  readonly metadata: ObjectMetadata | (() => ObjectMetadata);
  /**
   * The body's length when known (the decoded Content-Length). Optional (the file-system store ignores
   * it); with it, and `metadata` given as an object, S3ObjectStore sends the body straight through in
   * one request instead of buffering or spooling it.
   */
  readonly contentLength?: number;
}

export interface ListObjectsInput {
  readonly prefix?: string;
  readonly delimiter?: string;
  /** List keys strictly after this one (ListObjectsV2 start-after / continuation, v1 marker). */
  readonly startAfter?: string;
  readonly maxKeys: number;
}

export interface ListObjectsResult {
  /** Keys in UTF-8 binary order, as S3 lists them. */
  readonly objects: readonly ObjectInfo[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned, from which the next page starts. */
  readonly lastReturned?: string;
}

export interface MultipartUploadInfo {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
  readonly metadata: ObjectMetadata;
}

export interface PartInfo {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  readonly checksum?: StoredChecksum;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
}

/**
 * Where objects live: the embedded file-system store or an external S3 service. Every service
 * (the S3 API, training inputs and outputs, models) reads and writes through this port.
 *
 * Errors are the S3 AwsErrors (NoSuchBucket, NoSuchKey, NoSuchUpload, InvalidPart, InvalidPartOrder,
 * BucketNotEmpty, BucketAlreadyOwnedByYou, InvalidRange, EntityTooSmall …) from src/errors.
 * Writes are atomic: a reader sees the old object or the whole new one, never a part, even after
 * the process is killed mid-write.
 */
export interface ObjectStore {
  listBuckets(): Promise<BucketInfo[]>;
  createBucket(bucket: string): Promise<void>;
  /** Throws NoSuchBucket. */
  headBucket(bucket: string): Promise<BucketInfo>;
  /** Throws NoSuchBucket or BucketNotEmpty (objects or uploads in progress). */
  deleteBucket(bucket: string): Promise<void>;

  putObject(bucket: string, key: string, input: PutObjectInput): Promise<ObjectInfo>;
  /**
   * `range` is resolved by the caller against `headObject`'s size (out of bounds → InvalidRange); the
   * body streams from storage and holds a file or connection until it is read to the end or destroyed.
   * Throws NoSuchBucket or NoSuchKey.
   */
  getObject(bucket: string, key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable }>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** Deleting a missing key succeeds, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void>;
  /** Copies data; `metadata` replaces the source's when given (MetadataDirective REPLACE). */
  copyObject(source: { bucket: string; key: string }, target: { bucket: string; key: string }, metadata?: ObjectMetadata): Promise<ObjectInfo>;
  listObjects(bucket: string, input: ListObjectsInput): Promise<ListObjectsResult>;

  createMultipartUpload(bucket: string, key: string, metadata: ObjectMetadata): Promise<MultipartUploadInfo>;
  /** Throws NoSuchUpload, InvalidArgument (part number outside 1–10000). `contentLength` as in PutObjectInput. */
  uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    checksum?: () => StoredChecksum | undefined,
    contentLength?: number,
  ): Promise<PartInfo>;
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]>;
  listMultipartUploads(bucket: string, prefix?: string): Promise<MultipartUploadInfo[]>;
}
