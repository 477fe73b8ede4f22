import type { HttpService } from '../http-service.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { handleJsonRequest, type JsonServiceDefinition } from '../protocol/aws-json.js';
import { sagemakerShapes, type ServiceShapes } from '../protocol/generated/index.js';
import { validateInput } from '../protocol/validate.js';
import type { OperationTable } from './operation-table.js';

export interface SageMakerServiceOptions {
  /** Largest accepted request body in bytes (config.maxJsonBodyBytes). */
  readonly maxBodyBytes: number;
  /** The implemented operations; later tables win on a name clash. */
  readonly operations: readonly OperationTable[];
  /** Checks SigV4 once the body is read, before validation; without one every request is accepted. */
  readonly authenticator?: Authenticator;
  /** The service model to validate against (default: the generated SageMaker shapes). */
  readonly shapes?: ServiceShapes;
}

/**
 * The SageMaker control plane (AWS JSON 1.1, `X-Amz-Target: SageMaker.<Operation>`): every
 * implemented operation's input is validated against botocore's model first (AWS's exact
 * ValidationException / SerializationException messages), operations the model defines but no
 * table implements answer UnknownOperationException "… is not implemented by Salvia yet".
 */
export function createSageMakerService(options: SageMakerServiceOptions): HttpService {
  const shapes = options.shapes ?? sagemakerShapes;
  const operations = Object.assign({}, ...options.operations) as OperationTable;
  const definition: JsonServiceDefinition = {
    targetPrefix: shapes.targetPrefix,
    operations,
    isKnownOperation: (name) => Object.prototype.hasOwnProperty.call(shapes.operations, name),
    maxBodyBytes: options.maxBodyBytes,
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    beforeOperation: (operation, input) => validateInput(shapes, operation, input),
  };
  return {
    name: 'sagemaker',
    handle: (request, reply) => handleJsonRequest(definition, request, reply),
  };
}
