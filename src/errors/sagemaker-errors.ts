import { AwsError, type AwsErrorOptions } from './aws-error.js';

/** A constraint violation; also what SageMaker answers for a missing model, endpoint or job. */
export class ValidationException extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('ValidationException', 400, message, options);
  }
}

/** A resource with that name already exists (jobs) or is in a state that forbids the call. */
export class ResourceInUse extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('ResourceInUse', 400, message, options);
  }
}

/** A referenced resource does not exist. */
export class ResourceNotFound extends AwsError {
  constructor(resourceType: string, name: string) {
    super('ResourceNotFound', 400, `${resourceType} ${name} does not exist.`);
  }
}

/** A quota or scheduler limit is reached. */
export class ResourceLimitExceeded extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('ResourceLimitExceeded', 400, message, options);
  }
}

/** Two modifications of one resource raced. */
export class ConflictException extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('ConflictException', 400, message, options);
  }
}
