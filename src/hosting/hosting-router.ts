import type {
  AsyncInvocationRequest,
  AsyncInvocationResponse,
  EndpointRouter,
  InvocationRequest,
  InvocationResponse,
  StreamingInvocationResponse,
} from '../api/runtime/endpoint-router.js';
import { NoSuchEndpoint, RuntimeServiceUnavailable, RuntimeValidationError, type AwsError } from '../errors/index.js';
import { ContainerRequestError, type ContainerResponse } from './container-client.js';
import { containerName, type Deployment, type HostedInstance, type HostedVariant } from './hosted-deployment.js';
import { containerHeaders, customAttributesHeader, forwardThroughPipeline, headerText, PipelineStepError } from './pipeline-forward.js';
import { modelConnectionError, modelErrorFromResponse, modelTimeoutError, type EndpointScope } from './model-errors.js';
import type { ActiveDeployments } from './process-endpoint-hosting.js';
import { chooseInstance, missingTargetModel } from './multi-model/index.js';
import { pickLeastOutstanding, pickWeighted } from './traffic.js';

/** Router settings. */
export interface HostingRouterOptions extends EndpointScope {
  /** How long a container may take to answer an invocation (SageMaker: 60 s). */
  readonly invocationTimeoutMs?: number;
  /** Random numbers in [0, 1) for the weighted variant choice (tests). */
  readonly random?: () => number;
}

/**
 * SageMaker Runtime's routing over the active deployments: a variant by TargetVariant or by weight,
 * an instance by least outstanding requests (a refused connection — a crashed server — tries another),
 * the request forwarded over kept-alive connections with its body, Content-Type, Accept and
 * CustomAttributes, through every container of a serial inference pipeline in turn, and the answer
 * returned with its Content-Type, the variant's name and the container's custom attributes. A
 * non-2xx answer is ModelError 424, no answer within 60 s ModelError, no ready instance
 * ServiceUnavailable, an endpoint without active deployment ValidationError NO_SUCH_ENDPOINT.
 */
export class HostingRouter implements EndpointRouter {
  private readonly timeoutMs: number;
  private readonly random: () => number;

  constructor(
    private readonly deployments: ActiveDeployments,
    private readonly options: HostingRouterOptions,
  ) {
    this.timeoutMs = options.invocationTimeoutMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  async invoke(request: InvocationRequest): Promise<InvocationResponse> {
    const { deployment, variant } = this.route(request);
    return this.invokeOn(deployment, variant, request);
  }

  private async invokeOn(deployment: Deployment, variant: HostedVariant, request: InvocationRequest): Promise<InvocationResponse> {
    deployment.enter();
    try {
      const response = await this.forward(deployment, variant, request);
      return {
        body: response.body,
        contentType: headerText(response.headers, 'content-type') ?? 'application/octet-stream',
        invokedProductionVariant: variant.name,
        ...optional('customAttributes', headerText(response.headers, customAttributesHeader)),
      };
    } finally {
      deployment.leave();
    }
  }

  /**
   * A single-container model's answer is streamed as the container sends it (the timeout covers
   * the wait for its status line); a pipeline's or a multi-model endpoint's is sent as one part.
   */
  async invokeWithResponseStream(request: InvocationRequest): Promise<StreamingInvocationResponse> {
    const { deployment, variant } = this.route(request);
    if (!variant.multiModel && variant.plan.containers.length === 1) return this.stream(deployment, variant, request);
    const response = await this.invokeOn(deployment, variant, request);
    const body = response.body;
    return {
      parts: (async function* () {
        if (Buffer.isBuffer(body)) {
          if (body.length > 0) yield body;
          return;
        }
        for await (const chunk of body) yield chunk as Uint8Array;
      })(),
      contentType: response.contentType,
      invokedProductionVariant: response.invokedProductionVariant,
      ...optional('customAttributes', response.customAttributes),
    };
  }

  private async stream(deployment: Deployment, variant: HostedVariant, request: InvocationRequest): Promise<StreamingInvocationResponse> {
    deployment.enter();
    const tried = new Set<HostedInstance>();
    try {
      for (;;) {
        const instance = pickLeastOutstanding(variant.instances, variant.cursor++ % Math.max(1, variant.instances.length), tried);
        const server = instance?.servers[0];
        if (!instance || !server) throw new RuntimeServiceUnavailable();
        tried.add(instance);
        instance.begin();
        let opened: Awaited<ReturnType<typeof server.client.open>>;
        try {
          opened = await server.client.open({
            method: 'POST',
            path: '/invocations',
            body: request.body,
            headers: containerHeaders(request, true),
            timeoutMs: this.timeoutMs,
          });
        } catch (error) {
          instance.end();
          if (error instanceof ContainerRequestError && error.kind === 'refused') continue;
          throw this.failure(deployment, 'primary', error);
        }
        if (opened.status < 200 || opened.status >= 300) {
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of opened.body) chunks.push(chunk as Buffer);
          } finally {
            instance.end();
          }
          throw modelErrorFromResponse(this.options, deployment.endpointName, 'primary', opened.status, Buffer.concat(chunks));
        }
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          instance.end();
          deployment.leave();
        };
        const body = opened.body;
        return {
          parts: (async function* () {
            try {
              for await (const chunk of body) yield chunk as Uint8Array;
            } finally {
              release();
            }
          })(),
          contentType: headerText(opened.headers, 'content-type') ?? 'application/octet-stream',
          invokedProductionVariant: variant.name,
          ...optional('customAttributes', headerText(opened.headers, customAttributesHeader)),
        };
      }
    } catch (error) {
      deployment.leave();
      throw error;
    }
  }

  async invokeAsync(request: AsyncInvocationRequest): Promise<AsyncInvocationResponse> {
    if (!this.deployments.active(request.endpointName)) throw new NoSuchEndpoint(request.endpointName, this.options.accountId);
    throw new RuntimeValidationError(`Endpoint ${request.endpointName} of account ${this.options.accountId} is not configured for asynchronous inference.`);
  }

  /** The deployment and variant for a request; throws the runtime's ValidationErrors. */
  private route(request: InvocationRequest): { deployment: Deployment; variant: HostedVariant } {
    const deployment = this.deployments.active(request.endpointName);
    if (!deployment) throw new NoSuchEndpoint(request.endpointName, this.options.accountId);
    let variant: HostedVariant | undefined;
    if (request.targetVariant !== undefined) {
      variant = deployment.variant(request.targetVariant);
      if (!variant) {
        throw new RuntimeValidationError(
          `The variant ${request.targetVariant} does not exist for endpoint ${request.endpointName} of account ${this.options.accountId}. ` +
            `Valid variants: ${deployment.variants.map((v) => v.name).join(', ')}.`,
        );
      }
    } else {
      variant = pickWeighted(deployment.variants, this.random());
      if (!variant) throw new RuntimeServiceUnavailable();
    }
    if (request.targetModel !== undefined && !variant.multiModel) {
      throw new RuntimeValidationError(
        `Endpoint ${request.endpointName} is not a multi-model endpoint and does not support target model header.`,
        'TARGET_MODEL_HEADER_NOT_SUPPORTED',
      );
    }
    return { deployment, variant };
  }

  private async forward(deployment: Deployment, variant: HostedVariant, request: InvocationRequest): Promise<ContainerResponse> {
    const deadline = Date.now() + this.timeoutMs;
    if (variant.multiModel) return this.forwardMultiModel(deployment, variant, request);
    const tried = new Set<HostedInstance>();
    for (;;) {
      const instance = pickLeastOutstanding(variant.instances, variant.cursor++ % Math.max(1, variant.instances.length), tried);
      if (!instance) throw new RuntimeServiceUnavailable();
      tried.add(instance);
      instance.begin();
      try {
        return await this.chain(deployment, variant, instance, request, deadline);
      } catch (error) {
        // nothing listened (the server crashed and is restarting): the request was not delivered, try another instance
        if (error instanceof RefusedFirst) continue;
        throw error;
      } finally {
        instance.end();
      }
    }
  }

  /**
   * A multi-model variant: the instance that holds TargetModel (or its home by rendezvous hashing)
   * loads it if needed and invokes it; a refused connection tries another instance.
   */
  private async forwardMultiModel(deployment: Deployment, variant: HostedVariant, request: InvocationRequest): Promise<ContainerResponse> {
    const targetModel = request.targetModel;
    if (targetModel === undefined) throw missingTargetModel();
    const name = containerName(variant.plan.containers, 0);
    const tried = new Set<HostedInstance>();
    for (;;) {
      const instance = chooseInstance(variant.instances, targetModel, tried);
      if (!instance?.multiModel) throw new RuntimeServiceUnavailable();
      tried.add(instance);
      instance.begin();
      try {
        const response = await instance.multiModel.invoke(targetModel, {
          body: request.body,
          ...optional('contentType', request.contentType),
          ...optional('accept', request.accept),
          ...optional('customAttributes', request.customAttributes),
        });
        return this.checked(deployment, name, response);
      } catch (error) {
        if (error instanceof ContainerRequestError && error.kind === 'refused') continue;
        throw this.failure(deployment, name, error);
      } finally {
        instance.end();
      }
    }
  }

  /** Sends the request through the instance's containers in order (a serial inference pipeline when several). */
  private async chain(
    deployment: Deployment,
    variant: HostedVariant,
    instance: HostedInstance,
    request: InvocationRequest,
    deadline: number,
  ): Promise<ContainerResponse> {
    try {
      return await forwardThroughPipeline(instance, variant.plan.containers, request, deadline);
    } catch (error) {
      if (!(error instanceof PipelineStepError)) throw error;
      if (error.refusedFirst) throw new RefusedFirst();
      if ('response' in error.failure) return this.checked(deployment, error.container, error.failure.response);
      throw this.failure(deployment, error.container, error.failure.requestError);
    }
  }

  /** A 2xx answer as is; any other status as ModelError. */
  private checked(deployment: Deployment, container: string, response: ContainerResponse): ContainerResponse {
    if (response.status >= 200 && response.status < 300) return response;
    throw modelErrorFromResponse(this.options, deployment.endpointName, container, response.status, response.body);
  }

  /** A failed container request as the runtime error SageMaker gives. */
  private failure(deployment: Deployment, container: string, error: unknown): AwsError | unknown {
    if (!(error instanceof ContainerRequestError)) return error;
    if (error.kind === 'timeout') return modelTimeoutError(this.options, deployment.endpointName, container);
    return modelConnectionError(this.options, deployment.endpointName, container, error.message);
  }
}

/** Internal: the first container refused the connection (the request was not delivered). */
class RefusedFirst extends Error {}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
