import type { IncomingMessage } from 'node:http';
import { AwsError, IncompleteSignature, InvalidSignature, MissingAuthenticationToken, UnrecognizedClient } from '../../errors/index.js';
import { AuthFailure, type AuthResult, type Authenticator } from './authenticator.js';

// The one place where SigV4 failure kinds become the errors of the JSON-speaking services
// (SageMaker, CloudWatch Logs, SageMaker Runtime) and of the Query-protocol service (STS).
// S3 maps the same kinds to its own XML codes.

/** An AuthFailure as AWS JSON 1.1 / REST-JSON services answer it (§1.4 of the contract). */
export function jsonAuthError(failure: AuthFailure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new MissingAuthenticationToken();
    case 'malformed':
      return new IncompleteSignature(failure.message);
    case 'unknown-key':
      return new UnrecognizedClient();
    case 'bad-signature':
      return new InvalidSignature();
    case 'expired':
      return new InvalidSignature(failure.message);
    default:
      return assertNever(failure.kind);
  }
}

/** An AuthFailure as the Query-protocol services (STS, IAM) answer it. */
export function queryAuthError(failure: AuthFailure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
    case 'malformed':
      return new AwsError('IncompleteSignature', 400, failure.message);
    case 'unknown-key':
      return new AwsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
    case 'bad-signature':
      return new AwsError(
        'SignatureDoesNotMatch',
        403,
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    case 'expired':
      return new AwsError('SignatureDoesNotMatch', 403, failure.message);
    default:
      return assertNever(failure.kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected auth failure kind ${String(value)}`);
}

/**
 * Authenticates a request whose whole body has been read, turning an AuthFailure into the
 * protocol's AwsError (`json` by default, `query` for STS). Returns the AuthResult.
 */
export function authenticateRequest(authenticator: Authenticator, request: IncomingMessage, body: Uint8Array, protocol: 'json' | 'query' = 'json'): AuthResult {
  try {
    return authenticator.authenticateWithBody(request, body);
  } catch (error) {
    if (error instanceof AuthFailure) throw protocol === 'json' ? jsonAuthError(error) : queryAuthError(error);
    throw error;
  }
}
