import { AwsError, type AwsErrorOptions } from './aws-error.js';

// Errors shared by the AWS JSON 1.1 services (SageMaker, CloudWatch Logs) and their protocol layer.

/** The body is not JSON, or a member has the wrong JSON type. */
export class SerializationException extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('SerializationException', 400, message, options);
  }
}

/** `X-Amz-Target` names no operation of the service. */
export class UnknownOperationException extends AwsError {
  constructor(target: string, message = `Unknown operation ${target}`) {
    super('UnknownOperationException', 400, message);
  }
}

/** The request body is larger than the server accepts. */
export class RequestEntityTooLarge extends AwsError {
  constructor(limit: number) {
    super('RequestEntityTooLargeException', 413, `Request body is larger than the limit of ${limit} bytes`);
  }
}

// SigV4 failures on the JSON services (§1.4 of the contract).
export class MissingAuthenticationToken extends AwsError {
  constructor(message = 'Missing Authentication Token') {
    super('MissingAuthenticationTokenException', 403, message);
  }
}
export class IncompleteSignature extends AwsError {
  constructor(message: string) {
    super('IncompleteSignatureException', 400, message);
  }
}
export class InvalidSignature extends AwsError {
  constructor(message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.') {
    super('InvalidSignatureException', 403, message);
  }
}
export class UnrecognizedClient extends AwsError {
  constructor(message = 'The security token included in the request is invalid.') {
    super('UnrecognizedClientException', 403, message);
  }
}
