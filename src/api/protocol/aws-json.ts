import type { FastifyReply, FastifyRequest } from 'fastify';
import { AwsError, InternalFailure, SerializationException, UnknownOperationException } from '../../errors/index.js';
import type { Authenticator } from './authenticator.js';
import { readRawBody } from './raw-body.js';
import { authenticateRequest } from './sigv4-errors.js';

/** An operation handler: the parsed JSON input in, the output members out (undefined → `{}`). */
export type JsonOperation = (input: Record<string, unknown>, context: JsonRequestContext) => Promise<object | undefined>;

export interface JsonRequestContext {
  readonly requestId: string;
  readonly operation: string;
}

export interface JsonServiceDefinition {
  /** `SageMaker` or `Logs_20140328`: what precedes the dot in `X-Amz-Target`. */
  readonly targetPrefix: string;
  /** Implemented operations by name. */
  readonly operations: Readonly<Record<string, JsonOperation>>;
  /** Operations the service model knows but Salvia does not implement; named as such in the error. */
  readonly isKnownOperation?: (name: string) => boolean;
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes: number;
  /**
   * Checks SigV4 once the body is read (the payload hash is signed), before anything else looks at
   * the request; failures become MissingAuthenticationToken/IncompleteSignature/
   * UnrecognizedClient/InvalidSignature (sigv4-errors.ts). Absent: no authentication.
   */
  readonly authenticator?: Authenticator;
  /**
   * Called before the operation runs (validation against the service model, authentication …).
   * If it returns an object, the operation gets that instead of the parsed body (e.g. the input
   * normalised by validateInput: timestamps as Dates, unknown members dropped).
   */
  readonly beforeOperation?: (
    operation: string,
    input: Record<string, unknown>,
    request: FastifyRequest,
  ) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
}

/** JSON.stringify replacer: Dates become epoch seconds (SageMaker's timestamp format), nulls vanish. */
function wireValue(this: unknown, _key: string, value: unknown): unknown {
  if (value === null) return undefined;
  const raw = (this as Record<string, unknown>)[_key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  return value;
}

/** Serialises output members as AWS JSON 1.1 does: absent members omitted, timestamps as numbers. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value ?? {}, wireValue);
}

/** Writes an AwsError in the JSON 1.1 form both botocore and the JS SDK v3 parse. */
export function sendJsonError(reply: FastifyReply, error: AwsError, requestId: string): void {
  void reply
    .code(error.status)
    .headers({ ...error.headers, 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code })
    .send(JSON.stringify({ __type: error.code, message: error.message, ...error.details }));
}

/** Turns anything thrown into an AwsError, logging the ones that are bugs. */
export function asAwsError(error: unknown, request: FastifyRequest): AwsError {
  if (error instanceof AwsError) return error;
  request.log.error({ err: error }, 'unhandled error');
  return new InternalFailure(undefined, { cause: error });
}

/**
 * Serves one AWS JSON 1.1 service: finds the operation from `X-Amz-Target`, parses the body,
 * runs the operation and writes its output or its error.
 */
export async function handleJsonRequest(definition: JsonServiceDefinition, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const requestId = String(request.id);
  try {
    if (request.method !== 'POST') throw new SerializationException(`${definition.targetPrefix} requests must be POST`);
    const target = String(request.headers['x-amz-target'] ?? '');
    const dot = target.indexOf('.');
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const handler = prefix === definition.targetPrefix ? definition.operations[operation] : undefined;
    if (!handler) {
      const ignored = await readRawBody(request.raw, definition.maxBodyBytes).catch(() => undefined);
      if (ignored && definition.authenticator) authenticateRequest(definition.authenticator, request.raw, ignored);
      if (prefix === definition.targetPrefix && definition.isKnownOperation?.(operation)) {
        throw new UnknownOperationException(target, `${definition.targetPrefix} operation ${operation} is not implemented by Salvia yet`);
      }
      throw new UnknownOperationException(target);
    }
    const body = await readRawBody(request.raw, definition.maxBodyBytes);
    if (definition.authenticator) authenticateRequest(definition.authenticator, request.raw, body);
    const parsed = parseJsonObject(body);
    const input = (await definition.beforeOperation?.(operation, parsed, request)) ?? parsed;
    const output = await handler(input, { requestId, operation });
    void reply.code(200).headers({ 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }).send(toWireJson(output));
  } catch (error) {
    sendJsonError(reply, asAwsError(error, request), requestId);
  }
}

/** Parses a request body that must be a JSON object; an empty body counts as `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerializationException(`Request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (Array.isArray(value)) throw new SerializationException('Start of list found where not expected');
  if (typeof value !== 'object' || value === null) {
    throw new SerializationException('Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
