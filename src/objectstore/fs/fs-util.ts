import { open, rename, rm } from 'node:fs/promises';
import type { FsLayout } from './layout.js';

/** True if `error` is a Node system error with one of the given codes. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Flushes a directory's entries (a rename into it) to disk; a directory removed meanwhile is fine. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a directory vanish at once (rename into tmp/), then deletes it. False if it did not exist. */
export async function removeDirAtomically(layout: FsLayout, dir: string): Promise<boolean> {
  const trash = layout.tempPath();
  try {
    await rename(dir, trash);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
  return true;
}

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
