import { InvalidArgument, InvalidBucketName, KeyTooLong } from '../errors/index.js';

/** S3's limit on a key's length, in UTF-8 bytes. */
export const maxKeyBytes = 1024;

/** The highest part number S3 accepts. */
export const maxPartNumber = 10000;

const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ipPattern = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Checks a bucket name against S3's naming rules: 3–63 characters of lower-case letters, digits, dots
 * and hyphens, starting and ending with a letter or digit, no two adjacent dots, not shaped like an
 * IP address, none of the reserved prefixes and suffixes. Throws InvalidBucketName.
 */
export function validateBucketName(bucket: string): void {
  if (
    !bucketPattern.test(bucket) ||
    bucket.includes('..') ||
    ipPattern.test(bucket) ||
    bucket.startsWith('xn--') ||
    bucket.startsWith('sthree-') ||
    bucket.endsWith('-s3alias') ||
    bucket.endsWith('--ol-s3')
  ) {
    throw new InvalidBucketName(bucket);
  }
}

/** A lone UTF-16 surrogate: a string that is no valid Unicode (and has no UTF-8 form). */
const loneSurrogate = /\p{Cs}/u;

/**
 * Any non-empty string of Unicode up to 1024 UTF-8 bytes is a key. Throws KeyTooLong, or
 * InvalidArgument for an empty key or one with a lone surrogate (it could not round-trip through UTF-8).
 */
export function validateObjectKey(key: string): void {
  if (key.length === 0) throw new InvalidArgument('Object key must not be empty', 'key', key);
  if (loneSurrogate.test(key)) throw new InvalidArgument('Object key must be valid UTF-8', 'key', key);
  if (key.length > maxKeyBytes / 3 && Buffer.byteLength(key, 'utf8') > maxKeyBytes) throw new KeyTooLong();
}

/** Part numbers are integers 1–10000. Throws InvalidArgument. */
export function validatePartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > maxPartNumber) {
    throw new InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(partNumber));
  }
}
