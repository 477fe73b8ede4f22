import type { ListObjectsInput, ListObjectsResult, ObjectInfo } from '../object-store.js';
import { compareUtf8 } from '../utf8-order.js';

/** Index of the first element for which `before(element)` is false (`before` must be true-then-false). */
function partition(keys: readonly string[], before: (key: string) => boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(keys[mid] as string)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The objects of one bucket in memory: keys sorted in UTF-8 byte order for listing, and their infos.
 * Built from the object files when the bucket is first used and updated on every commit, so listing
 * a page is a binary search plus a walk over the page (delimiter groups are skipped by binary search).
 */
export class BucketIndex {
  private readonly keys: string[];
  private readonly infos = new Map<string, ObjectInfo>();
  /** Commits between their start and their index update; a bucket is deleted only when zero. */
  pendingCommits = 0;
  /** Set while the bucket is being deleted: commits must fail with NoSuchBucket. */
  closed = false;

  constructor(objects: readonly ObjectInfo[]) {
    for (const info of objects) this.infos.set(info.key, info);
    this.keys = [...this.infos.keys()].sort(compareUtf8);
  }

  get size(): number {
    return this.keys.length;
  }

  get(key: string): ObjectInfo | undefined {
    return this.infos.get(key);
  }

  set(info: ObjectInfo): void {
    if (!this.infos.has(info.key)) {
      const at = partition(this.keys, (k) => compareUtf8(k, info.key) < 0);
      this.keys.splice(at, 0, info.key);
    }
    this.infos.set(info.key, info);
  }

  delete(key: string): void {
    if (!this.infos.delete(key)) return;
    const at = partition(this.keys, (k) => compareUtf8(k, key) < 0);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** One page of ListObjects: prefix, delimiter grouping, keys strictly after `startAfter`, at most `maxKeys` entries. */
  list(input: ListObjectsInput): ListObjectsResult {
    const prefix = input.prefix ?? '';
    const delimiter = input.delimiter ?? '';
    const startAfter = input.startAfter ?? '';
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let lastReturned: string | undefined;
    let i = partition(this.keys, (k) => compareUtf8(k, prefix) < 0 || (startAfter !== '' && compareUtf8(k, startAfter) <= 0));
    while (i < this.keys.length) {
      const key = this.keys[i] as string;
      if (!key.startsWith(prefix)) break;
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        // Every key in this group sorts together: jump past all of them.
        const skip = partition(this.keys, (k) => compareUtf8(k, common) <= 0 || k.startsWith(common));
        if (startAfter === '' || compareUtf8(common, startAfter) > 0) {
          if (objects.length + commonPrefixes.length >= input.maxKeys) return this.page(objects, commonPrefixes, input.maxKeys > 0, lastReturned);
          commonPrefixes.push(common);
          lastReturned = common;
        }
        i = Math.max(skip, i + 1);
        continue;
      }
      if (objects.length + commonPrefixes.length >= input.maxKeys) return this.page(objects, commonPrefixes, input.maxKeys > 0, lastReturned);
      objects.push(this.infos.get(key) as ObjectInfo);
      lastReturned = key;
      i++;
    }
    return this.page(objects, commonPrefixes, false, lastReturned);
  }

  private page(objects: ObjectInfo[], commonPrefixes: string[], isTruncated: boolean, lastReturned: string | undefined): ListObjectsResult {
    return { objects, commonPrefixes, isTruncated, ...(lastReturned !== undefined ? { lastReturned } : {}) };
  }
}
