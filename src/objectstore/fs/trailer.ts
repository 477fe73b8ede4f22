import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Object and part files are `<data><metadata JSON><JSON length: uint32 BE><magic>`. The metadata is
 * written after the data because the ETag, size and checksum are only known once the data has
 * streamed through; data and metadata live in one file so that one rename replaces both at once.
 */
const magic = Buffer.from('SLVOBJ01', 'latin1');
const footerSize = 4 + magic.length;
/** One read at the end of a file usually holds the whole trailer. */
const tailRead = 4096;

/** Thrown when a file has no valid trailer (not ours, or truncated — should not happen after a rename). */
export class CorruptObjectFile extends Error {}

/** Writes `value` as the trailer starting at `position` (the data size). */
export async function writeTrailer(file: FileHandle, position: number, value: unknown): Promise<void> {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const footer = Buffer.alloc(footerSize);
  footer.writeUInt32BE(json.length, 0);
  magic.copy(footer, 4);
  const buffer = Buffer.concat([json, footer]);
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await file.write(buffer, written, buffer.length - written, position + written);
    written += bytesWritten;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, position + read);
    if (bytesRead === 0) throw new CorruptObjectFile('unexpected end of file');
    read += bytesRead;
  }
  return buffer;
}

function readAtSync(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const bytesRead = readSync(fd, buffer, read, length - read, position + read);
    if (bytesRead === 0) throw new CorruptObjectFile('unexpected end of file');
    read += bytesRead;
  }
  return buffer;
}

/**
 * Reads the trailer of a file synchronously; undefined if the file does not exist. For loading many
 * trailers in a row (an index), where going through the thread pool file by file costs several times more.
 */
export function readTrailerSync(file: string): { value: unknown; dataSize: number } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = fstatSync(fd);
    if (size < footerSize) throw new CorruptObjectFile('file too short');
    const tailLength = Math.min(size, tailRead);
    const tail = readAtSync(fd, size - tailLength, tailLength);
    return parseTail(tail, size, (position, length) => readAtSync(fd, position, length));
  } finally {
    closeSync(fd);
  }
}

/** Splits the end of a file into its trailer JSON and data size; `readMore` fetches a trailer longer than the tail. */
function parseTail(tail: Buffer, size: number, readMore: (position: number, length: number) => Buffer): { value: unknown; dataSize: number } {
  const tailLength = tail.length;
  if (!tail.subarray(tailLength - magic.length).equals(magic)) throw new CorruptObjectFile('no trailer');
  const jsonLength = tail.readUInt32BE(tailLength - footerSize);
  const dataSize = size - footerSize - jsonLength;
  if (dataSize < 0) throw new CorruptObjectFile('bad trailer length');
  const json =
    jsonLength + footerSize <= tailLength ? tail.subarray(tailLength - footerSize - jsonLength, tailLength - footerSize) : readMore(dataSize, jsonLength);
  return { value: JSON.parse(json.toString('utf8')) as unknown, dataSize };
}

/** Reads the trailer of an open file: its parsed JSON and the size of the data before it. */
export async function readTrailer(file: FileHandle): Promise<{ value: unknown; dataSize: number }> {
  const { size } = await file.stat();
  if (size < footerSize) throw new CorruptObjectFile('file too short');
  const tailLength = Math.min(size, tailRead);
  const tail = await readAt(file, size - tailLength, tailLength);
  if (!tail.subarray(tailLength - magic.length).equals(magic)) throw new CorruptObjectFile('no trailer');
  const jsonLength = tail.readUInt32BE(tailLength - footerSize);
  if (jsonLength + footerSize > size) throw new CorruptObjectFile('bad trailer length');
  // A trailer longer than the tail read: fetch it whole, then parse as usual.
  const whole = jsonLength + footerSize > tailLength ? await readAt(file, size - footerSize - jsonLength, jsonLength + footerSize) : tail;
  return parseTail(whole, size, () => {
    throw new CorruptObjectFile('bad trailer length');
  });
}
