import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectInfo } from '../object-store.js';
import { BucketIndex } from './bucket-index.js';
import { isErrno, mapLimit } from './fs-util.js';
import { fanOutDirs, type FsLayout } from './layout.js';
import { recordToObject } from './records.js';
import { readTrailer } from './trailer.js';

/** Reads an object file's trailer; undefined if the file vanished meanwhile. */
export async function readObjectInfo(file: string, bucket: string): Promise<ObjectInfo | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    const { value } = await readTrailer(handle);
    return recordToObject(bucket, value);
  } finally {
    await handle.close();
  }
}

/**
 * Builds a bucket's index from its object files (only committed files live there, so the index is
 * exactly what survived the last run). Throws ENOENT if the bucket directory does not exist.
 */
export async function loadBucketIndex(layout: FsLayout, bucket: string): Promise<BucketIndex> {
  const objectsDir = layout.objectsDir(bucket);
  const files: string[] = [];
  await mapLimit(fanOutDirs, 16, async (dir) => {
    for (const name of await readdir(path.join(objectsDir, dir))) files.push(path.join(objectsDir, dir, name));
  });
  const infos = await mapLimit(files, 64, (file) => readObjectInfo(file, bucket));
  return new BucketIndex(infos.filter((info): info is ObjectInfo => info !== undefined));
}
