import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Bodies up to this size are kept in memory; larger ones go to a temp file. */
const memoryLimit = 8 * 1024 * 1024;

/** A body read whole, so that its length is known before it is sent. */
export interface SpooledBody {
  readonly size: number;
  /** A fresh stream of the body (may be called more than once). */
  open(): Readable | Buffer;
  /** Removes the temp file, if any. */
  dispose(): Promise<void>;
}

/**
 * Reads `body` to its end: into memory when it is small, else into a temp file under `dir`.
 * Rejects (removing the temp file) if the body errors.
 */
export async function spoolBody(body: Readable, dir: string): Promise<SpooledBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const next = (await iterator.next()) as IteratorResult<Buffer>;
    if (next.done) {
      const buffer = Buffer.concat(chunks);
      return { size, open: () => buffer, dispose: async () => undefined };
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
    if (size > memoryLimit) break;
  }
  const file = path.join(dir, `salvia-s3-spool-${randomUUID()}`);
  try {
    const rest = (async function* () {
      yield* chunks.splice(0);
      for (;;) {
        const next = (await iterator.next()) as IteratorResult<Buffer>;
        if (next.done) return;
        size += next.value.length;
        yield next.value;
      }
    })();
    await pipeline(rest, createWriteStream(file, { highWaterMark: memoryLimit }));
  } catch (error) {
    body.destroy();
    await rm(file, { force: true });
    throw error;
  }
  return { size, open: () => createReadStream(file, { highWaterMark: 1024 * 1024 }), dispose: () => rm(file, { force: true }) };
}
