import type { IncomingMessage } from 'node:http';
import { AccessDenied, AuthorizationHeaderMalformed, InvalidAccessKeyId, SignatureDoesNotMatch, type AwsError } from '../../errors/index.js';
import { AuthFailure, type AuthResult, type Authenticator } from '../protocol/authenticator.js';

/** The access key id named by an Authorization header or presigned query, for error details. */
function accessKeyOf(request: IncomingMessage): string {
  const header = request.headers.authorization ?? '';
  const fromHeader = /Credential=([^/,\s]+)/.exec(header)?.[1];
  const fromQuery = /[?&]X-Amz-Credential=([^&%/]+)/i.exec(request.url ?? '')?.[1];
  return fromHeader ?? fromQuery ?? '';
}

/** S3's error for an authentication failure kind. */
export function s3AuthError(failure: AuthFailure, request: IncomingMessage): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new AccessDenied(failure.message || 'Access Denied');
    case 'malformed':
      return new AuthorizationHeaderMalformed(failure.message || undefined);
    case 'unknown-key':
      return new InvalidAccessKeyId(accessKeyOf(request));
    case 'bad-signature':
      return new SignatureDoesNotMatch();
    case 'expired':
      return new AccessDenied(failure.message || 'Request has expired');
  }
}

/**
 * Authenticates a request for S3, turning AuthFailure into S3's codes. Without an authenticator
 * (none wired), every request is accepted anonymously and chunk signatures are only parsed.
 */
export function authenticateS3(authenticator: Authenticator | undefined, request: IncomingMessage): AuthResult {
  if (!authenticator) return {};
  try {
    return authenticator.authenticate(request);
  } catch (error) {
    if (error instanceof AuthFailure) throw s3AuthError(error, request);
    throw error;
  }
}
