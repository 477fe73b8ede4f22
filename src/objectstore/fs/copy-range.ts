import type { FileHandle } from 'node:fs/promises';
import type { Md5 } from './md5-pool.js';

/** Size of each of the two buffers a copy alternates between. */
const copyBuffer = 8 * 1024 * 1024;

async function readFully(file: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) throw new Error('file ended before the expected length');
    read += bytesRead;
  }
}

async function writeFully(file: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  let written = 0;
  while (written < length) {
    const { bytesWritten } = await file.write(buffer, written, length - written, position + written);
    written += bytesWritten;
  }
}

/**
 * Copies `length` bytes from `source` at `from` to `target` at `to`, reading the next block while
 * the previous one is written, with two reused buffers (no per-chunk allocations, no streams).
 * Feeds the bytes to `md5` when given.
 */
export async function copyRange(
  source: FileHandle,
  from: number,
  length: number,
  target: FileHandle,
  to: number,
  buffers: [Buffer, Buffer] = copyBuffers(),
  md5?: Md5,
): Promise<void> {
  let pendingWrite: Promise<void> = Promise.resolve();
  for (let done = 0, turn = 0; done < length; turn ^= 1) {
    const buffer = buffers[turn] as Buffer;
    const size = Math.min(buffer.length, length - done);
    await readFully(source, buffer, size, from + done);
    if (md5) {
      md5.update(buffer.subarray(0, size));
      await md5.capacity();
    }
    await pendingWrite;
    pendingWrite = writeFully(target, buffer, size, to + done);
    done += size;
  }
  await pendingWrite;
}

/** Two buffers for a sequence of copyRange calls. */
export function copyBuffers(): [Buffer, Buffer] {
  return [Buffer.allocUnsafe(copyBuffer), Buffer.allocUnsafe(copyBuffer)];
}
