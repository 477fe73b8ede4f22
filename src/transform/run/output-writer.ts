import { Readable } from 'node:stream';
import type { CompletedPart, ObjectMetadata, ObjectStore } from '../../objectstore/index.js';
import type { S3Location } from '../../training/data/index.js';

/** S3's smallest part but the last is 5 MiB; parts of 8 MiB keep the count low for large outputs. */
const defaultPartBytes = 8 * 1024 * 1024;

/**
 * One output object written as it is produced, with bounded memory: bytes are buffered up to a part,
 * each full part is uploaded (a multipart upload started with the first one) before `write` resolves,
 * so a slow store slows the producer down. `complete()` publishes the object (a single PUT when it
 * never filled a part); `abort()` discards what was uploaded, so no partial output ever appears.
 */
export class OutputWriter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private done = false;
  /** The stored Content-Type: set before the first part is uploaded (e.g. from the first response). */
  contentType: string | undefined;

  constructor(
    private readonly store: ObjectStore,
    readonly location: S3Location,
    private readonly partBytes: number = defaultPartBytes,
  ) {}

  /** Total bytes written so far. */
  bytes = 0;

  /** Appends `data`; resolves once buffered (uploading a part first when one is full). Throws the store's error. */
  async write(data: Buffer): Promise<void> {
    if (this.done) throw new Error(`output ${this.location.key} is already finished`);
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
    this.bytes += data.length;
    while (this.buffered >= this.partBytes) await this.uploadPart(this.take(this.partBytes));
  }

  /** Publishes the object with everything written. Throws the store's error (the upload is then aborted). */
  async complete(): Promise<void> {
    if (this.done) return;
    try {
      if (this.uploadId === undefined) {
        const body = this.take(this.buffered);
        await this.store.putObject(this.location.bucket, this.location.key, {
          body: Readable.from([body]),
          metadata: this.metadata(),
          contentLength: body.length,
        });
      } else {
        if (this.buffered > 0) await this.uploadPart(this.take(this.buffered));
        await this.store.completeMultipartUpload(this.location.bucket, this.location.key, this.uploadId, this.parts);
      }
      this.done = true;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Discards the output (aborts the multipart upload if one was started); idempotent, never throws. */
  async abort(): Promise<void> {
    this.done = true;
    this.chunks = [];
    this.buffered = 0;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId !== undefined) await this.store.abortMultipartUpload(this.location.bucket, this.location.key, uploadId).catch(() => undefined);
  }

  private metadata(): ObjectMetadata {
    return { ...(this.contentType !== undefined ? { contentType: this.contentType } : {}), userMetadata: {}, headers: {} };
  }

  /** The first `size` buffered bytes as one buffer. */
  private take(size: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const part = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return part;
  }

  private async uploadPart(body: Buffer): Promise<void> {
    this.uploadId ??= (await this.store.createMultipartUpload(this.location.bucket, this.location.key, this.metadata())).uploadId;
    const partNumber = this.parts.length + 1;
    const info = await this.store.uploadPart(this.location.bucket, this.location.key, this.uploadId, partNumber, Readable.from([body]), undefined, body.length);
    this.parts.push({ partNumber, etag: info.etag });
  }
}
