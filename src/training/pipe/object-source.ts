import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { SidecarS3Access } from '../sidecar-s3.js';

/** An object whose GET has started: its length (when the server sent it) and its streaming body. */
export interface OpenedObject {
  readonly length: number | undefined;
  readonly body: Readable;
}

/** Streams objects over HTTP from the server's S3 API (or the external S3 service) with the sidecar's own credentials. */
export class ObjectSource {
  private readonly client: S3Client;

  constructor(access: SidecarS3Access) {
    this.client = new S3Client({
      endpoint: access.endpoint,
      region: access.region,
      forcePathStyle: access.forcePathStyle,
      ...(access.accessKeyId !== undefined && access.secretAccessKey !== undefined
        ? { credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /** Starts a GET; resolves once the response headers arrived (the body streams as it is read). Rejects with S3's error (NoSuchKey …). */
  async open(bucket: string, key: string): Promise<OpenedObject> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { length: response.ContentLength, body: response.Body as Readable };
  }

  close(): void {
    this.client.destroy();
  }
}
