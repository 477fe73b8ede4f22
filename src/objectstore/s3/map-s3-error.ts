import {
  AwsError,
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  EntityTooSmall,
  InvalidBucketName,
  InvalidPartOrder,
  KeyTooLong,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  S3Error,
} from '../../errors/index.js';

/** What a failed call was about, to fill the error's details. */
export interface ErrorContext {
  readonly bucket: string;
  readonly key?: string;
  readonly uploadId?: string;
}

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Turns an error of `@aws-sdk/client-s3` into our S3 AwsError with the same code, so callers see one
 * set of errors whatever the adapter. HEAD requests carry no body, so their bare 404 (`NotFound`)
 * becomes NoSuchKey when a key was asked for, else NoSuchBucket. Errors without an HTTP status:
 * connection failures and timeouts become ServiceUnavailable (503), anything else InternalError (500).
 */
export function mapS3Error(error: unknown, context: ErrorContext): AwsError {
  if (error instanceof AwsError) return error;
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  const code = sdk.Code ?? sdk.name ?? 'InternalError';
  const message = sdk.message ?? String(error);
  switch (code) {
    case 'NoSuchBucket':
      return new NoSuchBucket(context.bucket);
    case 'NoSuchKey':
      return new NoSuchKey(context.key ?? '');
    case 'NoSuchUpload':
      return new NoSuchUpload(context.uploadId ?? '');
    case 'BucketNotEmpty':
      return new BucketNotEmpty(context.bucket);
    case 'BucketAlreadyOwnedByYou':
      return new BucketAlreadyOwnedByYou(context.bucket);
    case 'InvalidBucketName':
      return new InvalidBucketName(context.bucket);
    case 'InvalidPartOrder':
      return new InvalidPartOrder();
    case 'EntityTooSmall':
      return new EntityTooSmall();
    case 'KeyTooLongError':
      return new KeyTooLong();
    case 'NotFound':
      return context.key !== undefined ? new NoSuchKey(context.key) : new NoSuchBucket(context.bucket);
  }
  if (status === undefined) {
    const systemCode = (error as { code?: unknown }).code;
    const unreachable = (typeof systemCode === 'string' && systemCode.startsWith('E')) || code === 'TimeoutError';
    return unreachable
      ? new S3Error('ServiceUnavailable', 503, `The object storage service could not be reached: ${message}`, { cause: error })
      : new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.', { cause: error });
  }
  if (status === 404 && code === 'UnknownError') return context.key !== undefined ? new NoSuchKey(context.key) : new NoSuchBucket(context.bucket);
  return new S3Error(code, status, message, { cause: error });
}
