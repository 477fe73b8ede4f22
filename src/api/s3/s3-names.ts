import { InvalidBucketName, KeyTooLong } from '../../errors/index.js';

/** S3's longest key, in UTF-8 bytes. */
export const maxKeyBytes = 1024;

/**
 * True for a name S3 lets you create: 3–63 characters of lower-case letters, digits, dots and
 * hyphens, starting and ending with a letter or digit, no `..`, not an IP address.
 */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.includes('.-') &&
    !name.includes('-.')
  );
}

/** Throws InvalidBucketName unless the name is one S3 allows. */
export function assertBucketName(name: string): void {
  if (!isValidBucketName(name)) throw new InvalidBucketName(name);
}

/** Throws KeyTooLongError for keys over 1024 UTF-8 bytes. */
export function assertKey(key: string): void {
  if (Buffer.byteLength(key) > maxKeyBytes) throw new KeyTooLong();
}
