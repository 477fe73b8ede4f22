import type { FileHandle } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createMd5, type Md5 } from './md5-pool.js';

/** How much a writer buffers before pushing back on its source; all of it goes to disk in one writev. */
const writeBuffer = 4 * 1024 * 1024;

/**
 * A Writable that appends to an open file from a position, computing the MD5 of what passes through
 * (unless disabled) in a worker thread. Chunks that queue up while a write is in flight go to disk
 * in a single `writev`; the next batch is accepted once the write is done and the hasher keeps up.
 */
class HashingFileWriter extends Writable {
  size = 0;
  private position: number;

  constructor(
    private readonly file: FileHandle,
    start: number,
    readonly md5: Md5 | undefined,
  ) {
    super({ highWaterMark: writeBuffer });
    this.position = start;
  }

  override _writev(chunks: { chunk: unknown }[], callback: (error?: Error | null) => void): void {
    const buffers = chunks.map(({ chunk }) => chunk as Buffer);
    let total = 0;
    for (const buffer of buffers) total += buffer.length;
    const position = this.position;
    this.size += total;
    this.position += total;
    const written = writeAll(this.file, buffers, total, position);
    if (this.md5) for (const buffer of buffers) this.md5.update(buffer);
    Promise.all([written, this.md5?.capacity()]).then(() => callback(), callback);
  }
}

async function writeAll(file: FileHandle, buffers: Buffer[], total: number, position: number): Promise<void> {
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const { bytesWritten } = await file.writev(pending, position + written);
    written += bytesWritten;
    if (written < total) pending = [Buffer.concat(pending).subarray(bytesWritten)];
  }
}

/** What a body turned into on disk. */
export interface WrittenData {
  readonly size: number;
  /** The MD5 of the data (undefined when not asked for). */
  readonly md5?: Buffer;
}

/**
 * Streams `source` into `file` from `start`, never holding more than a few MiB in memory. Rejects
 * (and destroys `source`) if the source errors; what was written is then garbage for the caller to remove.
 */
export async function writeStreamToFile(
  source: Readable | (() => AsyncIterable<Buffer>),
  file: FileHandle,
  options: { start?: number; md5: boolean },
): Promise<WrittenData> {
  const md5 = options.md5 ? createMd5() : undefined;
  const writer = new HashingFileWriter(file, options.start ?? 0, md5);
  try {
    await pipeline(source, writer);
  } catch (error) {
    // Let the worker drop its state for this hash.
    md5?.digest().catch(() => undefined);
    throw error;
  }
  return { size: writer.size, ...(md5 ? { md5: await md5.digest() } : {}) };
}
