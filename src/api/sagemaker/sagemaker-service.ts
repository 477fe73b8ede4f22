import type { FastifyRequest } from 'fastify';
import { IncompleteSignature, InvalidSignature, MissingAuthenticationToken, UnrecognizedClient, type AwsError } from '../../errors/index.js';
import type { HttpService } from '../http-service.js';
import { AuthFailure, type Authenticator } from '../protocol/authenticator.js';
import { handleJsonRequest, type JsonServiceDefinition } from '../protocol/aws-json.js';
import { sagemakerShapes, type ServiceShapes } from '../protocol/generated/index.js';
import { validateInput } from '../protocol/validate.js';
import type { OperationTable } from './operation-table.js';

export interface SageMakerServiceOptions {
  /** Largest accepted request body in bytes (config.maxJsonBodyBytes). */
  readonly maxBodyBytes: number;
  /** The implemented operations; later tables win on a name clash. */
  readonly operations: readonly OperationTable[];
  /** Checks SigV4 before validation; without one every request is accepted. */
  readonly authenticator?: Authenticator;
  /** The service model to validate against (default: the generated SageMaker shapes). */
  readonly shapes?: ServiceShapes;
}

/** An AuthFailure as the JSON services answer it. */
export function jsonAuthError(failure: AuthFailure): AwsError {
  switch (failure.kind) {
    case 'missing':
      return new MissingAuthenticationToken();
    case 'malformed':
      return new IncompleteSignature(failure.message);
    case 'unknown-key':
      return new UnrecognizedClient();
    case 'bad-signature':
    case 'expired':
      return new InvalidSignature(failure.message);
  }
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
    beforeOperation(operation: string, input: Record<string, unknown>, request: FastifyRequest) {
      if (options.authenticator) {
        try {
          options.authenticator.authenticate(request.raw);
        } catch (error) {
          if (error instanceof AuthFailure) throw jsonAuthError(error);
          throw error;
        }
      }
      return validateInput(shapes, operation, input);
    },
  };
  return {
    name: 'sagemaker',
    handle: (request, reply) => handleJsonRequest(definition, request, reply),
  };
}
