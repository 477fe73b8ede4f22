import { tmpdir } from 'node:os';
import { Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BucketAlreadyOwnedByYou, BucketNotEmpty, InvalidRange } from '../../errors/index.js';
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
import { compareUtf8 } from '../utf8-order.js';
import { validateBucketName, validateObjectKey, validatePartNumber } from '../validate-names.js';
import { mapS3Error, type ErrorContext } from './map-s3-error.js';
import { checksumMember, metadataMembers, objectInfoFrom } from './s3-metadata.js';
import { spoolBody } from './spool-body.js';

/** Connection settings of the external S3 service (the `s3*` slice of the config). */
export interface S3ObjectStoreConfig {
  readonly s3Endpoint?: string;
  readonly s3AccessKeyId?: string;
  readonly s3SecretAccessKey?: string;
  readonly s3Region?: string;
  readonly s3ForcePathStyle: boolean;
}

export interface S3ObjectStoreDeps {
  /** Where bodies of unknown length are spooled before upload (default: the OS temp directory). */
  readonly spoolDir?: string;
}

/** S3's largest single PUT; bigger bodies go up as a multipart upload. */
const maxSinglePut = 5 * 1024 ** 3;
const uploadPartSize = 16 * 1024 * 1024;
const noMetadata: ObjectMetadata = { userMetadata: {}, headers: {} };

/** `bucket/key` for CopySource, URL-encoded per path segment. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Keeps objects in an external S3-compatible service (AWS S3, MinIO, another Salvia …) through
 * `@aws-sdk/client-s3`; the service's errors become our S3 AwsErrors (see mapS3Error).
 *
 * Bodies stream through when their length is known and their metadata is given up front; otherwise
 * they are read whole first (in memory up to 8 MiB, else a temp file in `spoolDir`) because S3 needs
 * the metadata and length before the body. Limits: user metadata of listed objects and uploads is not
 * returned (S3 does not list it); part checksums are not forwarded; copies are limited to 5 GiB.
 */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  private readonly spoolDir: string;

  constructor(
    private readonly config: S3ObjectStoreConfig,
    deps: S3ObjectStoreDeps = {},
  ) {
    this.client = new S3Client({
      ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
      region: config.s3Region ?? 'us-east-1',
      forcePathStyle: config.s3ForcePathStyle,
      ...(config.s3AccessKeyId && config.s3SecretAccessKey
        ? { credentials: { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.spoolDir = deps.spoolDir ?? tmpdir();
  }

  /**
   * Runs an SDK call, turning its errors into ours. When `body` (the caller's stream) fails, the
   * request is aborted (the SDK would otherwise wait for the rest of the body forever) and the body's
   * own error is rethrown unchanged, as the file-system store does: the client is to blame, not S3.
   */
  private async call<T>(context: ErrorContext, action: (abortSignal: AbortSignal) => Promise<T>, body?: Readable): Promise<T> {
    const abort = new AbortController();
    let bodyError: unknown;
    const onBodyError = (error: unknown): void => {
      bodyError ??= error;
      abort.abort(error);
    };
    body?.once('error', onBodyError);
    try {
      return await action(abort.signal);
    } catch (error) {
      throw bodyError ?? (body?.errored ? body.errored : mapS3Error(error, context));
    } finally {
      body?.off('error', onBodyError);
    }
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const buckets: BucketInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call({ bucket: '' }, () => this.client.send(new ListBucketsCommand(token ? { ContinuationToken: token } : {})));
      for (const bucket of page.Buckets ?? []) if (bucket.Name) buckets.push({ name: bucket.Name, creationDate: bucket.CreationDate ?? new Date(0) });
      token = page.ContinuationToken;
    } while (token);
    return buckets;
  }

  async createBucket(bucket: string): Promise<void> {
    validateBucketName(bucket);
    // AWS in us-east-1 answers 200 for a bucket one already owns; make that an error like everywhere else.
    const exists = await this.client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (exists) throw new BucketAlreadyOwnedByYou(bucket);
    const region = this.config.s3Region;
    const configuration = region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {};
    await this.call({ bucket }, () => this.client.send(new CreateBucketCommand({ Bucket: bucket, ...configuration })));
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    await this.call({ bucket }, () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
    const listed = (await this.listBuckets()).find((info) => info.name === bucket);
    return listed ?? { name: bucket, creationDate: new Date(0) };
  }

  async deleteBucket(bucket: string): Promise<void> {
    const uploads = await this.call({ bucket }, () => this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 1 })));
    if ((uploads.Uploads ?? []).length > 0) throw new BucketNotEmpty(bucket);
    await this.call({ bucket }, () => this.client.send(new DeleteBucketCommand({ Bucket: bucket })));
  }

  async putObject(bucket: string, key: string, input: PutObjectInput): Promise<ObjectInfo> {
    validateObjectKey(key);
    const context = { bucket, key };
    if (typeof input.metadata !== 'function') {
      const metadata = input.metadata;
      if (input.contentLength !== undefined && input.contentLength <= maxSinglePut) return this.putOnce(bucket, key, input.body, input.contentLength, metadata);
      // Unknown length: lib-storage cuts the stream into parts (a single PUT if it is small).
      let size = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      });
      input.body.once('error', (error) => counted.destroy(error));
      const upload = new Upload({
        client: this.client,
        partSize: uploadPartSize,
        queueSize: 4,
        leavePartsOnError: false,
        params: { Bucket: bucket, Key: key, Body: input.body.pipe(counted), ...metadataMembers(metadata) },
      });
      const done = await this.call(context, () => upload.done(), input.body);
      return { bucket, key, size, etag: done.ETag ?? '""', lastModified: new Date(), ...metadata };
    }
    const spooled = await spoolBody(input.body, this.spoolDir);
    try {
      const metadata = input.metadata();
      if (spooled.size <= maxSinglePut) return await this.putOnce(bucket, key, spooled.open(), spooled.size, metadata);
      return await this.putObject(bucket, key, { body: spooled.open() as Readable, metadata });
    } finally {
      await spooled.dispose();
    }
  }

  private async putOnce(bucket: string, key: string, body: Readable | Buffer, size: number, metadata: ObjectMetadata): Promise<ObjectInfo> {
    const output = await this.call(
      { bucket, key },
      (abortSignal) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentLength: size,
            ...metadataMembers(metadata),
            ...checksumMember(metadata.checksum),
          }),
          {
            abortSignal,
          },
        ),
      Buffer.isBuffer(body) ? undefined : body,
    );
    return { bucket, key, size, etag: output.ETag ?? '""', lastModified: new Date(), ...metadata };
  }

  async getObject(bucket: string, key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable }> {
    validateObjectKey(key);
    const output = await this.call({ bucket, key }, () =>
      this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) })),
    );
    const total = /\/(\d+)$/.exec(output.ContentRange ?? '')?.[1];
    const size = total !== undefined ? Number(total) : (output.ContentLength ?? 0);
    const body = output.Body instanceof Readable ? output.Body : Readable.from([]);
    if (range && (range.end >= size || output.ContentLength !== range.end - range.start + 1)) {
      body.destroy();
      throw new InvalidRange(size, `bytes=${range.start}-${range.end}`);
    }
    return { info: objectInfoFrom(bucket, key, size, output), body };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    validateObjectKey(key);
    const output = await this.call({ bucket, key }, () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' })));
    return objectInfoFrom(bucket, key, output.ContentLength ?? 0, output);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    validateObjectKey(key);
    await this.call({ bucket, key }, () => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  async copyObject(source: { bucket: string; key: string }, target: { bucket: string; key: string }, metadata?: ObjectMetadata): Promise<ObjectInfo> {
    validateObjectKey(source.key);
    validateObjectKey(target.key);
    await this.call(source, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: copySource(source.bucket, source.key),
          MetadataDirective: metadata ? 'REPLACE' : 'COPY',
          ...(metadata ? metadataMembers(metadata) : {}),
        }),
      ),
    );
    return this.headObject(target.bucket, target.key);
  }

  async listObjects(bucket: string, input: ListObjectsInput): Promise<ListObjectsResult> {
    if (input.maxKeys <= 0) {
      await this.call({ bucket }, () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
      return { objects: [], commonPrefixes: [], isTruncated: false };
    }
    const output = await this.call({ bucket }, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          MaxKeys: input.maxKeys,
          ...(input.prefix ? { Prefix: input.prefix } : {}),
          ...(input.delimiter ? { Delimiter: input.delimiter } : {}),
          ...(input.startAfter ? { StartAfter: input.startAfter } : {}),
        }),
      ),
    );
    const objects: ObjectInfo[] = (output.Contents ?? []).map((item) => ({
      bucket,
      key: item.Key ?? '',
      size: item.Size ?? 0,
      etag: item.ETag ?? '""',
      lastModified: item.LastModified ?? new Date(0),
      userMetadata: {},
      headers: {},
    }));
    // A page may have ended on a common prefix that a service repeats when listing after it.
    const startAfter = input.startAfter;
    const commonPrefixes = (output.CommonPrefixes ?? [])
      .map((item) => item.Prefix ?? '')
      .filter((prefix) => !startAfter || compareUtf8(prefix, startAfter) > 0);
    const lastKey = objects.at(-1)?.key;
    const lastPrefix = commonPrefixes.at(-1);
    const lastReturned = lastKey === undefined ? lastPrefix : lastPrefix === undefined || compareUtf8(lastKey, lastPrefix) > 0 ? lastKey : lastPrefix;
    return { objects, commonPrefixes, isTruncated: output.IsTruncated ?? false, ...(lastReturned !== undefined ? { lastReturned } : {}) };
  }

  async createMultipartUpload(bucket: string, key: string, metadata: ObjectMetadata): Promise<MultipartUploadInfo> {
    validateObjectKey(key);
    const output = await this.call({ bucket, key }, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...metadataMembers(metadata) })),
    );
    return { bucket, key, uploadId: output.UploadId ?? '', initiated: new Date(), metadata };
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    _checksum?: () => StoredChecksum | undefined,
    contentLength?: number,
  ): Promise<PartInfo> {
    validatePartNumber(partNumber);
    const context = { bucket, key, uploadId };
    const send = (payload: Readable | Buffer, size: number): Promise<PartInfo> =>
      this.call(
        context,
        async (abortSignal) => {
          const output = await this.client.send(
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: payload, ContentLength: size }),
            {
              abortSignal,
            },
          );
          return { partNumber, etag: output.ETag ?? '""', size, lastModified: new Date() };
        },
        Buffer.isBuffer(payload) ? undefined : payload,
      );
    if (contentLength !== undefined) return send(body, contentLength);
    const spooled = await spoolBody(body, this.spoolDir);
    try {
      return await send(spooled.open(), spooled.size);
    } finally {
      await spooled.dispose();
    }
  }

  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<ObjectInfo> {
    await this.call({ bucket, key, uploadId }, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
        }),
      ),
    );
    return this.headObject(bucket, key);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.call({ bucket, key, uploadId }, () => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    const parts: PartInfo[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.call({ bucket, key, uploadId }, () =>
        this.client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) })),
      );
      for (const part of page.Parts ?? []) {
        parts.push({ partNumber: part.PartNumber ?? 0, etag: part.ETag ?? '""', size: part.Size ?? 0, lastModified: part.LastModified ?? new Date(0) });
      }
      if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
      marker = page.NextPartNumberMarker;
    }
  }

  async listMultipartUploads(bucket: string, prefix?: string): Promise<MultipartUploadInfo[]> {
    const uploads: MultipartUploadInfo[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.call({ bucket }, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            ...(prefix ? { Prefix: prefix } : {}),
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
          }),
        ),
      );
      for (const upload of page.Uploads ?? []) {
        uploads.push({ bucket, key: upload.Key ?? '', uploadId: upload.UploadId ?? '', initiated: upload.Initiated ?? new Date(0), metadata: noMetadata });
      }
      if (!page.IsTruncated) return uploads;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }
}
