/** Fields every AWS error carries, whatever the protocol that serialises it. */
export interface AwsErrorOptions {
  readonly cause?: unknown;
  /** Extra members for the wire body (S3: `<Key>`, `<BucketName>`; runtime: `ErrorCode`). */
  readonly details?: Readonly<Record<string, string | number>>;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Base of every error a client is meant to see. `code` is AWS's error code (`ValidationException`,
 * `NoSuchKey` …), `status` the HTTP status, `senderFault` whether the client is to blame.
 * Each protocol's serializer turns it into its wire form; anything that is not an AwsError is a bug
 * and becomes a generic 500.
 */
export class AwsError extends Error {
  readonly details: Readonly<Record<string, string | number>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: AwsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }

  get senderFault(): boolean {
    return this.status < 500;
  }
}

/** Thrown for a request the server has no handler for (any protocol). */
export class InternalFailure extends AwsError {
  constructor(message = 'An internal error occurred. Try again.', options: AwsErrorOptions = {}) {
    super('InternalFailure', 500, message, options);
  }
}

/** True if `value` is an AwsError (also across module copies). */
export function isAwsError(value: unknown): value is AwsError {
  return value instanceof AwsError;
}
