import { ValidationException } from '../../errors/index.js';
import { validateBucketName } from '../../objectstore/index.js';

/** A bucket and a key (or key prefix; `''` for the whole bucket). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/**
 * Splits `s3://bucket/key-or-prefix` into its bucket and key. `s3://bucket` and `s3://bucket/` give
 * the key `''` (the whole bucket). Throws ValidationException naming the URI when it is not an
 * `s3://` URI or its bucket name breaks S3's naming rules.
 */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(uri);
  const bucket = match?.[1] ?? '';
  const invalid = (why: string): ValidationException => new ValidationException(`Invalid S3 URI "${uri}": ${why}; expected s3://<bucket>/<key or prefix>.`);
  if (!match) throw invalid('it does not start with s3://');
  if (bucket === '') throw invalid('the bucket name is missing');
  try {
    validateBucketName(bucket);
  } catch (error) {
    throw new ValidationException(`Invalid S3 URI "${uri}": "${bucket}" is not a valid bucket name; expected s3://<bucket>/<key or prefix>.`, {
      cause: error,
    });
  }
  return { bucket, key: match[2] ?? '' };
}

/** `s3://bucket/key`, the inverse of parseS3Uri. */
export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/**
 * The part of a key prefix up to and including its last `/` (`''` when it has none): what SageMaker
 * strips from each key to place it under a File-mode channel directory.
 */
export function prefixDirectory(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}
