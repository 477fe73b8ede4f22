import { InvalidRange, NotModified, PreconditionFailed } from '../../errors/index.js';
import type { ByteRange, ObjectInfo } from '../../objectstore/index.js';

function etagMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((item) => {
    const candidate = item.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return candidate === '*' || candidate === bare;
  });
}

/** Whole seconds, as HTTP dates carry them. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The conditional headers of a GET/HEAD, or of a copy source (`x-amz-copy-source-if-*`). */
export interface Conditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
}

/**
 * Evaluates conditions as S3 does (RFC 7232 order): a failed If-Match / If-Unmodified-Since
 * throws PreconditionFailed (412); a failed If-None-Match / If-Modified-Since throws NotModified
 * (304) for reads, or PreconditionFailed when `notModifiedIs412` (copy sources).
 */
export function checkConditions(info: ObjectInfo, conditions: Conditions, notModifiedIs412 = false): void {
  if (conditions.ifMatch !== undefined) {
    if (!etagMatches(conditions.ifMatch, info.etag)) throw new PreconditionFailed('If-Match');
  } else {
    const since = parseDate(conditions.ifUnmodifiedSince);
    if (since && seconds(info.lastModified) > seconds(since)) throw new PreconditionFailed('If-Unmodified-Since');
  }
  const notModified = (condition: string): Error => (notModifiedIs412 ? new PreconditionFailed(condition) : new NotModified());
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, info.etag)) throw notModified('If-None-Match');
  } else {
    const since = parseDate(conditions.ifModifiedSince);
    if (since && seconds(info.lastModified) <= seconds(since)) throw notModified('If-Modified-Since');
  }
}

/**
 * Resolves a `Range` header against an object size: `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * Returns undefined (whole object) when there is no header or it is not a single byte range
 * S3 honours; throws InvalidRange (416) when it cannot be satisfied.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw new InvalidRange(size, header);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return undefined;
  if (start >= size) throw new InvalidRange(size, header);
  return { start, end: Math.min(end, size - 1) };
}
