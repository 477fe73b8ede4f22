import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AwsError } from '../../errors/index.js';
import type { HttpService } from '../http-service.js';
import { asAwsError } from '../protocol/aws-json.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { percentDecode } from '../protocol/sigv4-canonical.js';
import { authenticateRequest } from '../protocol/sigv4-errors.js';
import type { InvocationRequest } from './endpoint-router.js';
import { exceptionEvent, payloadPartEvent } from './event-stream.js';
import { RuntimeValidationError } from '../../errors/index.js';
import { MAX_INVOCATION_BYTES, payloadTooLarge, type RuntimeService } from './runtime-service.js';

export interface RuntimeHttpOptions {
  /** Checks SigV4 (signing name `sagemaker`); without one every request is accepted. */
  readonly authenticator?: Authenticator;
}

const ERROR_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.sagemaker/';

/** Writes a runtime error as REST-JSON: `x-amzn-ErrorType: <Code>:<namespace>` and `{ErrorCode?, Message}`. */
export function sendRuntimeError(reply: FastifyReply, error: AwsError, requestId: string): void {
  void reply
    .code(error.status)
    .headers({ ...error.headers, 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': `${error.code}:${ERROR_NAMESPACE}` })
    .send(JSON.stringify({ ...error.details, Message: error.message }));
}

/** Reads the body up to 6 MiB; beyond that drains it and throws the runtime's ValidationError. */
async function readInvocationBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > MAX_INVOCATION_BYTES) {
    request.resume();
    throw payloadTooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INVOCATION_BYTES) {
      request.resume();
      throw payloadTooLarge(undefined);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function integerHeader(request: FastifyRequest, name: string, member: string): number | undefined {
  const text = header(request, name);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim()))
    throw new RuntimeValidationError(`1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: Member must be an integer`);
  return Number(text);
}

/**
 * SageMaker Runtime over HTTP: `POST /endpoints/<name>/invocations`, `…/async-invocations` and
 * `…/invocations-response-stream`. Errors are REST-JSON with `x-amzn-ErrorType`.
 */
export function createRuntimeHttpService(runtime: RuntimeService, options: RuntimeHttpOptions = {}): HttpService {
  return {
    name: 'runtime',
    async handle(request, reply) {
      const requestId = String(request.id);
      try {
        const url = request.raw.url ?? '/';
        const match = /^\/endpoints\/([^/?]+)\/(invocations|async-invocations|invocations-response-stream)(?:\?|$)/.exec(url);
        if (!match) throw new RuntimeValidationError(`No runtime operation at ${url.split('?')[0]}`);
        const endpointName = percentDecode(match[1] ?? '');
        const kind = match[2];
        const body = await readInvocationBody(request.raw);
        if (options.authenticator) authenticateRequest(options.authenticator, request.raw, body);

        if (kind === 'async-invocations') {
          const result = await runtime.invokeAsync(
            defined({
              endpointName,
              inputLocation: header(request, 'x-amzn-sagemaker-inputlocation') ?? '',
              contentType: header(request, 'x-amzn-sagemaker-content-type'),
              accept: header(request, 'x-amzn-sagemaker-accept'),
              customAttributes: header(request, 'x-amzn-sagemaker-custom-attributes'),
              inferenceId: header(request, 'x-amzn-sagemaker-inference-id'),
              requestTtlSeconds: integerHeader(request, 'x-amzn-sagemaker-requestttlseconds', 'requestTTLSeconds'),
              invocationTimeoutSeconds: integerHeader(request, 'x-amzn-sagemaker-invocationtimeoutseconds', 'invocationTimeoutSeconds'),
              s3OutputPathExtension: header(request, 'x-amzn-sagemaker-s3outputpathextension'),
              filename: header(request, 'x-amzn-sagemaker-filename'),
            }),
          );
          void reply
            .code(202)
            .headers(
              defined({
                'content-type': 'application/json',
                'x-amzn-requestid': requestId,
                'x-amzn-sagemaker-outputlocation': result.outputLocation,
                'x-amzn-sagemaker-failurelocation': result.failureLocation,
              }),
            )
            .send(JSON.stringify({ InferenceId: result.inferenceId }));
          return;
        }

        const invocation: InvocationRequest = defined({
          endpointName,
          body,
          contentType: header(request, 'content-type'),
          accept: kind === 'invocations' ? header(request, 'accept') : header(request, 'x-amzn-sagemaker-accept'),
          customAttributes: header(request, 'x-amzn-sagemaker-custom-attributes'),
          targetModel: header(request, 'x-amzn-sagemaker-target-model'),
          targetVariant: header(request, 'x-amzn-sagemaker-target-variant'),
          targetContainerHostname: header(request, 'x-amzn-sagemaker-target-container-hostname'),
          inferenceId: header(request, 'x-amzn-sagemaker-inference-id'),
          enableExplanations: header(request, 'x-amzn-sagemaker-enable-explanations'),
          inferenceComponentName: header(request, 'x-amzn-sagemaker-inference-component'),
          sessionId: header(request, 'x-amzn-sagemaker-session-id'),
        });

        if (kind === 'invocations') {
          const result = await runtime.invoke(invocation);
          void reply
            .code(200)
            .headers(
              defined({
                'content-type': result.contentType,
                'x-amzn-requestid': requestId,
                'x-amzn-invoked-production-variant': result.invokedProductionVariant,
                'x-amzn-sagemaker-custom-attributes': result.customAttributes,
              }),
            )
            .send(result.body);
          return;
        }

        const streamed = await runtime.invokeWithResponseStream(invocation);
        const events = Readable.from(
          (async function* () {
            try {
              for await (const part of streamed.parts) yield payloadPartEvent(part);
            } catch (error) {
              yield exceptionEvent('InternalStreamFailure', error instanceof Error ? error.message : String(error));
            }
          })(),
        );
        void reply
          .code(200)
          .headers(
            defined({
              'content-type': 'application/vnd.amazon.eventstream',
              'x-amzn-requestid': requestId,
              'x-amzn-sagemaker-content-type': streamed.contentType,
              'x-amzn-invoked-production-variant': streamed.invokedProductionVariant,
              'x-amzn-sagemaker-custom-attributes': streamed.customAttributes,
            }),
          )
          .send(events);
      } catch (error) {
        sendRuntimeError(reply, asAwsError(error, request), requestId);
      }
    },
  };
}
