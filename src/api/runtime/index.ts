export { createRuntimeHttpService, sendRuntimeError } from './runtime-http.js';
export type { RuntimeHttpOptions } from './runtime-http.js';
export { RuntimeService, MAX_INVOCATION_BYTES, payloadTooLarge } from './runtime-service.js';
export { NoEndpointsRouter } from './endpoint-router.js';
export type {
  EndpointRouter,
  InvocationRequest,
  InvocationResponse,
  AsyncInvocationRequest,
  AsyncInvocationResponse,
  StreamingInvocationResponse,
} from './endpoint-router.js';
export { RuntimeValidationError, NoSuchEndpoint, ModelError, ModelNotReady, RuntimeServiceUnavailable } from '../../errors/index.js';
export { encodeEventMessage, payloadPartEvent, exceptionEvent } from './event-stream.js';
