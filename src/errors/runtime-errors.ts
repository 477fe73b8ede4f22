import { AwsError, type AwsErrorOptions } from './aws-error.js';

// SageMaker Runtime's errors (REST-JSON; §1.2 of the contract). The body carries `ErrorCode`
// (when AWS sends one) and `Message`; the serializer adds the `x-amzn-ErrorType` header.

/** A constraint violation, a missing endpoint (NO_SUCH_ENDPOINT) or a request the endpoint cannot take. */
export class RuntimeValidationError extends AwsError {
  constructor(message: string, errorCode?: string, options: AwsErrorOptions = {}) {
    super('ValidationError', 400, message, { ...options, details: { ...(errorCode ? { ErrorCode: errorCode } : {}), ...options.details } });
  }
}

/** `Endpoint <name> of account <acct> not found.` — also for an endpoint that is not InService yet. */
export class NoSuchEndpoint extends RuntimeValidationError {
  constructor(endpointName: string, accountId: string) {
    super(`Endpoint ${endpointName} of account ${accountId} not found.`, 'NO_SUCH_ENDPOINT');
  }
}

/** The container answered non-2xx or timed out (424), with its status and body. */
export class ModelError extends AwsError {
  constructor(message: string, details: { ErrorCode: string; OriginalStatusCode: number; OriginalMessage: string; LogStreamArn: string }) {
    super('ModelError', 424, message, { details });
  }
}

/** A multi-model endpoint's model is still loading (429; clients retry). */
export class ModelNotReady extends AwsError {
  constructor(message: string) {
    super('ModelNotReadyException', 429, message);
  }
}

/** The endpoint cannot take requests right now (503). */
export class RuntimeServiceUnavailable extends AwsError {
  constructor(message = 'The service is unavailable. Try again later.') {
    super('ServiceUnavailable', 503, message);
  }
}
