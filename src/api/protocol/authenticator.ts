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
 * Checks SigV4 (header or presigned-query form) on a request whose body has not been read.
 * The payload hash is not checked here: services that stream bodies verify
 * `x-amz-content-sha256` themselves. Throws AuthFailure.
 */
export interface Authenticator {
  authenticate(request: IncomingMessage): AuthResult;
}
