/** What went wrong with a channel's data, so a caller can map it (e.g. NoObjects → ValidationException at create time, as SageMaker does). */
export type ChannelErrorKind =
  'NoObjects' | 'ManifestInvalid' | 'ManifestMissingKeys' | 'UnsafeKey' | 'PathConflict' | 'ObjectUnavailable' | 'DecompressionFailed' | 'WriteFailed';

/**
 * A channel's input data cannot be listed or staged. The message names the S3 URI or key involved and
 * is fit for a FailureReason as `ClientError: <message>`; `kind` says which problem it is.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';

  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
