import { isAwsError } from '../../errors/index.js';
import type { ObjectInfo, ObjectStore } from '../../objectstore/index.js';

/** Keys per listObjects page (S3's maximum). */
const pageSize = 1000;

/**
 * Every object under `prefix` in `bucket`, in S3's key order, fetched page by page. A missing bucket
 * gives an empty list (the caller reports "no objects"); other store errors are thrown.
 */
export async function listAllObjects(store: ObjectStore, bucket: string, prefix: string): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  let startAfter: string | undefined;
  for (;;) {
    let page;
    try {
      page = await store.listObjects(bucket, { prefix, maxKeys: pageSize, ...(startAfter === undefined ? {} : { startAfter }) });
    } catch (error) {
      if (isAwsError(error) && error.code === 'NoSuchBucket') return [];
      throw error;
    }
    objects.push(...page.objects);
    if (!page.isTruncated || page.lastReturned === undefined) return objects;
    startAfter = page.lastReturned;
  }
}

/** A key ending in `/`: a "folder" (as the S3 console creates them), which no file can be named after. */
export function isFolderMarker(object: { key: string }): boolean {
  return object.key.endsWith('/');
}
