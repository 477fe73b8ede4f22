export { AwsError, InternalFailure, isAwsError } from './aws-error.js';
export type { AwsErrorOptions } from './aws-error.js';
export {
  SerializationException,
  UnknownOperationException,
  RequestEntityTooLarge,
  MissingAuthenticationToken,
  IncompleteSignature,
  InvalidSignature,
  UnrecognizedClient,
} from './json-errors.js';
export { ValidationException, ResourceInUse, ResourceNotFound, ResourceLimitExceeded, ConflictException } from './sagemaker-errors.js';
export {
  S3Error,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  BucketNotEmpty,
  BucketAlreadyOwnedByYou,
  InvalidBucketName,
  InvalidRange,
  InvalidPart,
  InvalidPartOrder,
  EntityTooSmall,
  KeyTooLong,
  InvalidArgument,
  InvalidRequest,
  MalformedXML,
  BadDigest,
  InvalidDigest,
  IncompleteBody,
  MethodNotAllowed,
  NotImplemented,
  SignatureDoesNotMatch,
  InvalidAccessKeyId,
  AccessDenied,
  EntityTooLarge,
} from './s3-errors.js';
export {
  InvalidURI,
  AuthorizationHeaderMalformed,
  XAmzContentSHA256Mismatch,
  PreconditionFailed,
  NotModified,
  MalformedChunkedEncoding,
  MalformedTrailer,
  MetadataTooLarge,
  MissingContentLength,
  NoSuchBucketConfiguration,
} from './s3-request-errors.js';
export { LogsResourceNotFound, LogsResourceAlreadyExists, InvalidParameter } from './logs-errors.js';
export { InvalidAction, MissingAction } from './sts-errors.js';
export { RuntimeValidationError, NoSuchEndpoint, ModelError, ModelNotReady, RuntimeServiceUnavailable } from './runtime-errors.js';
