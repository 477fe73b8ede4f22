import { AwsError } from './aws-error.js';

// STS's Query-protocol errors (the SigV4 ones come from protocol/sigv4-errors.ts).

/** An Action STS does not have (or Salvia does not implement). */
export class InvalidAction extends AwsError {
  constructor(action: string, version: string) {
    super('InvalidAction', 400, `Could not find operation ${action} for version ${version}`);
  }
}

/** No `Action` parameter. */
export class MissingAction extends AwsError {
  constructor() {
    super('MissingAction', 400, 'Missing Action');
  }
}
