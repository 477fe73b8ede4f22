import { ValidationException } from '../../errors/index.js';
import { InvalidParameter, type LogService } from '../../logs/index.js';
import type { HttpService } from '../http-service.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { handleJsonRequest, type JsonServiceDefinition } from '../protocol/aws-json.js';
import { validateInput } from '../protocol/validate.js';
import { logsShapes } from '../protocol/generated/index.js';
import { logsOperations } from './logs-operations.js';

export interface LogsHttpOptions {
  /** Largest accepted request body in bytes (config.maxJsonBodyBytes). */
  readonly maxBodyBytes: number;
  /** Checks SigV4; without one every request is accepted. */
  readonly authenticator?: Authenticator;
}

/**
 * CloudWatch Logs (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`): inputs are validated
 * against botocore's model (constraint violations answer InvalidParameterException with AWS's
 * `N validation errors detected: …` text); operations the model has but Salvia does not implement
 * answer UnknownOperationException.
 */
export function createLogsService(logs: LogService, options: LogsHttpOptions): HttpService {
  const definition: JsonServiceDefinition = {
    targetPrefix: logsShapes.targetPrefix,
    operations: logsOperations(logs),
    isKnownOperation: (name) => Object.prototype.hasOwnProperty.call(logsShapes.operations, name),
    maxBodyBytes: options.maxBodyBytes,
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    beforeOperation(operation, input) {
      try {
        return validateInput(logsShapes, operation, input);
      } catch (error) {
        if (error instanceof ValidationException) throw new InvalidParameter(error.message, { cause: error });
        throw error;
      }
    },
  };
  return { name: 'logs', handle: (request, reply) => handleJsonRequest(definition, request, reply) };
}
