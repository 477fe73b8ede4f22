import type { IncomingHttpHeaders } from 'node:http';
import { ContainerRequestError, type ContainerResponse } from './container-client.js';
import type { HostedContainer } from './endpoint-hosting.js';
import { containerName, type HostedInstance } from './hosted-deployment.js';

/** What is sent to a model: the body and the headers SageMaker forwards. */
export interface PipelineRequest {
  readonly body: Buffer;
  readonly contentType?: string | undefined;
  /** Sent to the last container of a pipeline only. */
  readonly accept?: string | undefined;
  readonly customAttributes?: string | undefined;
}

export const customAttributesHeader = 'x-amzn-sagemaker-custom-attributes';

/**
 * A container of the pipeline did not answer 2xx: either it answered another status (`response`)
 * or no answer came (`requestError`: refused, closed or timeout). `index`/`container` say which step.
 */
export class PipelineStepError extends Error {
  override readonly name = 'PipelineStepError';

  constructor(
    readonly index: number,
    readonly container: string,
    readonly failure: { readonly response: ContainerResponse } | { readonly requestError: ContainerRequestError },
  ) {
    super(
      'response' in failure
        ? `container ${container} answered ${failure.response.status}`
        : `container ${container} did not answer: ${failure.requestError.message}`,
      { cause: 'requestError' in failure ? failure.requestError : undefined },
    );
  }

  /** Nothing listened on the first container: the request was not delivered (safe to send elsewhere). */
  get refusedFirst(): boolean {
    return this.index === 0 && 'requestError' in this.failure && this.failure.requestError.kind === 'refused';
  }
}

/**
 * POSTs `request` to /invocations of the instance's containers in order (a serial inference pipeline
 * when several: each answer, with its Content-Type, is the next container's request), within
 * `deadline` (epoch ms) for the whole chain, over the containers' kept-alive connections. Resolves
 * with the last container's 2xx answer. Throws PipelineStepError naming the step otherwise.
 */
export async function forwardThroughPipeline(
  instance: HostedInstance,
  containers: readonly HostedContainer[],
  request: PipelineRequest,
  deadline: number,
): Promise<ContainerResponse> {
  const count = containers.length;
  let body = request.body;
  let contentType = request.contentType;
  let response: ContainerResponse | undefined;
  for (let index = 0; index < count; index++) {
    const server = instance.servers[index];
    const name = containerName(containers, index);
    if (!server)
      throw new PipelineStepError(index, name, { requestError: new ContainerRequestError('refused', `instance ${instance.id} has no container ${name}`) });
    const headers = containerHeaders({ ...request, contentType }, index === count - 1);
    try {
      response = await server.client.request({ method: 'POST', path: '/invocations', body, headers, timeoutMs: Math.max(1, deadline - Date.now()) });
    } catch (error) {
      if (error instanceof ContainerRequestError) throw new PipelineStepError(index, name, { requestError: error });
      throw error;
    }
    if (response.status < 200 || response.status >= 300) throw new PipelineStepError(index, name, { response });
    body = response.body;
    contentType = headerText(response.headers, 'content-type');
  }
  return response as ContainerResponse;
}

/** Headers for a container: Content-Type, Accept (the last container of a pipeline only) and the custom attributes. */
export function containerHeaders(
  request: { contentType?: string | undefined; accept?: string | undefined; customAttributes?: string | undefined },
  last: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (last && request.accept !== undefined) headers['accept'] = request.accept;
  if (request.customAttributes !== undefined) headers[customAttributesHeader] = request.customAttributes;
  return headers;
}

/** A header's value as one string (repeated headers joined with `, `). */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
