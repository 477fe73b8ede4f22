import { open, rm, type FileHandle } from 'node:fs/promises';
import type { WrittenData } from './file-writer.js';
import type { FsLayout } from './layout.js';
import { writeTrailer } from './trailer.js';

/**
 * Writes `<data><trailer>` to a new file in tmp/ and fsyncs it, ready to be renamed into place.
 * `write` puts the data at the start of the file; `describe` turns what was written into the trailer
 * value (and anything else the caller needs). On any failure — a body erroring midway included —
 * the temp file is removed and the error rethrown.
 */
export async function writeTempFile<T>(
  layout: FsLayout,
  write: (file: FileHandle) => Promise<WrittenData>,
  describe: (written: WrittenData) => { trailer: unknown; result: T },
): Promise<{ path: string; result: T }> {
  const path = layout.tempPath();
  const file = await open(path, 'wx', 0o644);
  try {
    const written = await write(file);
    const { trailer, result } = describe(written);
    await writeTrailer(file, written.size, trailer);
    await file.sync();
    await file.close();
    return { path, result };
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
}
