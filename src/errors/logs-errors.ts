import { AwsError, type AwsErrorOptions } from './aws-error.js';

// CloudWatch Logs' modelled errors (all sender faults, HTTP 400).

/** A log group or stream named in the request does not exist. */
export class LogsResourceNotFound extends AwsError {
  constructor(resource: 'group' | 'stream') {
    super('ResourceNotFoundException', 400, `The specified log ${resource} does not exist.`);
  }
}

/** CreateLogGroup/CreateLogStream for a name that is taken. */
export class LogsResourceAlreadyExists extends AwsError {
  constructor(resource: 'group' | 'stream') {
    super('ResourceAlreadyExistsException', 400, `The specified log ${resource} already exists`);
  }
}

/** A parameter is out of range, malformed, or combined with one it excludes. */
export class InvalidParameter extends AwsError {
  constructor(message: string, options?: AwsErrorOptions) {
    super('InvalidParameterException', 400, message, options);
  }
}
