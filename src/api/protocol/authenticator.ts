import type { IncomingMessage } from 'node:http';

/** Why a request failed authentication; each protocol maps the kind to its own error code. */
export type AuthFailureKind =
  /** No Authorization header and no presigned query (JSON: MissingAuthenticationTokenException; S3: AccessDenied). */
  | 'missing'
  /** Authorization present but not parseable (JSON: IncompleteSignatureException; S3: AuthorizationHeaderMalformed / AccessDenied). */
  | 'malformed'
  /** Access key not configured, in `--auth` mode (JSON: UnrecognizedClientException; S3: InvalidAccessKeyId). */
  | 'unknown-key'
  /** Signature does not match (JSON: InvalidSignatureException; S3: SignatureDoesNotMatch). */
  | 'bad-signature'
  /** X-Amz-Date too far from now, or presigned URL expired (JSON: InvalidSignatureException "Signature expired"; S3: AccessDenied "Request has expired"). */
  | 'expired';

/** Thrown by an Authenticator; carries a human message for the protocol's error. */
export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
    /** For `bad-signature`: `CanonicalRequest`, `StringToSign`, `SignatureProvided`, `AWSAccessKeyId` (S3 returns them). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** What a successful authentication tells the service. */
export interface AuthResult {
  /** The access key id the request was signed with (undefined for anonymous requests in accept-any mode). */
  readonly accessKeyId?: string;
  /**
   * The SigV4 signing key (HMAC chain result) when the secret is known, so that S3's
   * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunk signatures can be checked. Undefined when the
   * key is unknown in accept-any mode: then chunk signatures are parsed but not checked.
   */
  readonly signingKey?: Buffer;
  /** The request's own signature: the seed for the first chunk signature. */
  readonly seedSignature?: string;
  /** `X-Amz-Date` value. */
  readonly amzDate?: string;
  /** Credential scope `yyyymmdd/region/service/aws4_request`. */
  readonly scope?: string;
}

/**
 * Checks SigV4 (header or presigned-query form). Throws AuthFailure.
 *
 * Two entry points, because the payload hash is part of what is signed:
 * - `authenticate` for services that stream bodies (S3): the request's body is not read; the
 *   payload hash signed is the `x-amz-content-sha256` header (S3 always sends one), else
 *   `UNSIGNED-PAYLOAD` for a presigned S3 URL, else the hash of an empty body. The service checks
 *   that the body matches `x-amz-content-sha256` (or the chunk signatures) itself.
 * - `authenticateWithBody` for services that read the whole body first (the JSON services, the
 *   runtime, STS): the payload hash is `x-amz-content-sha256` if sent, else SHA-256 of `body`.
 */
export interface Authenticator {
  authenticate(request: IncomingMessage): AuthResult;
  authenticateWithBody(request: IncomingMessage, body: Uint8Array): AuthResult;
}
