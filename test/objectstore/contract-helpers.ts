import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { isAwsError } from '../../src/errors/index.js';
import type { ObjectMetadata } from '../../src/objectstore/index.js';

/** Small pieces the object-store contract suites share. */
export const noMetadata: ObjectMetadata = { userMetadata: {}, headers: {} };
export const MiB = 1024 * 1024;
export function body(data: string | Buffer): Readable {
  return Readable.from([typeof data === 'string' ? Buffer.from(data) : data]);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function md5Etag(data: Buffer | string): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

/** Asserts that `promise` rejects with the S3 AwsError `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAwsError(error), `expected AwsError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

/** A body that sends `good` bytes and then fails. */
export function failingBody(good: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield good;
      throw new Error('client went away');
    })(),
  );
}
