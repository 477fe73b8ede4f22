import type { Readable } from 'node:stream';
import { NoSuchEndpoint } from '../../errors/index.js';

/** A validated InvokeEndpoint (or …WithResponseStream) request. Header members keep AWS's names. */
export interface InvocationRequest {
  readonly endpointName: string;
  readonly body: Buffer;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly targetModel?: string;
  readonly targetVariant?: string;
  readonly targetContainerHostname?: string;
  readonly inferenceId?: string;
  readonly enableExplanations?: string;
  readonly inferenceComponentName?: string;
  readonly sessionId?: string;
}

/** What the model container answered. */
export interface InvocationResponse {
  readonly body: Buffer | Readable;
  readonly contentType: string;
  readonly invokedProductionVariant: string;
  readonly customAttributes?: string;
}

/** A validated InvokeEndpointAsync request: the input is an object in S3. */
export interface AsyncInvocationRequest {
  readonly endpointName: string;
  readonly inputLocation: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly inferenceId?: string;
  readonly requestTtlSeconds?: number;
  readonly invocationTimeoutSeconds?: number;
  readonly s3OutputPathExtension?: string;
  readonly filename?: string;
}

export interface AsyncInvocationResponse {
  readonly inferenceId: string;
  readonly outputLocation?: string;
  readonly failureLocation?: string;
}

/** A response streamed in parts (InvokeEndpointWithResponseStream's PayloadPart events). */
export interface StreamingInvocationResponse {
  readonly parts: AsyncIterable<Uint8Array>;
  readonly contentType: string;
  readonly invokedProductionVariant: string;
  readonly customAttributes?: string;
}

/**
 * The port between the runtime API and serving: finds an InService endpoint and forwards the
 * invocation to one of its model containers. Throws the runtime's AwsErrors: NoSuchEndpoint,
 * RuntimeValidationError (e.g. TARGET_MODEL_HEADER_NOT_SUPPORTED), ModelError, ModelNotReady,
 * RuntimeServiceUnavailable.
 */
export interface EndpointRouter {
  invoke(request: InvocationRequest): Promise<InvocationResponse>;
  invokeAsync(request: AsyncInvocationRequest): Promise<AsyncInvocationResponse>;
  invokeWithResponseStream(request: InvocationRequest): Promise<StreamingInvocationResponse>;
}

/** The router until endpoints exist: every endpoint is missing (ValidationError NO_SUCH_ENDPOINT). */
export class NoEndpointsRouter implements EndpointRouter {
  constructor(private readonly accountId: string) {}

  async invoke(request: InvocationRequest): Promise<InvocationResponse> {
    throw new NoSuchEndpoint(request.endpointName, this.accountId);
  }

  async invokeAsync(request: AsyncInvocationRequest): Promise<AsyncInvocationResponse> {
    throw new NoSuchEndpoint(request.endpointName, this.accountId);
  }

  async invokeWithResponseStream(request: InvocationRequest): Promise<StreamingInvocationResponse> {
    throw new NoSuchEndpoint(request.endpointName, this.accountId);
  }
}
