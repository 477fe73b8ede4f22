import { setTimeout as delay } from 'node:timers/promises';
import {
  forwardThroughPipeline,
  headerText,
  PipelineStepError,
  type ContainerResponse,
  type HostedContainer,
  type HostedInstance,
  type PipelineRequest,
} from '../../hosting/index.js';

/** How one request is sent: ModelClientConfig's timeout and retries. */
export interface InvokeOptions {
  /** InvocationsTimeoutInSeconds × 1000 (SageMaker's default: 600 s). */
  readonly timeoutMs: number;
  /** InvocationsMaxRetries (SageMaker's default: 3): further attempts after a timeout, a lost connection or a 5xx/429 answer. */
  readonly maxRetries: number;
  /** Aborts the wait between attempts (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** First pause before retrying a 5xx/429 answer, doubled per attempt. Default 200 ms. A lost connection waits at least 1 s (doubling), time for a crashed model server to be restarted. */
  readonly retryDelayMs?: number;
}

/** A model's answer to a batch. */
export interface ModelAnswer {
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

/**
 * The model gave no usable answer after every attempt: `lines` are what the job's data log shows
 * (SageMaker's `Bad HTTP status received from algorithm: 500`, `Message:` and the body, or
 * `Unable to get response from algorithm`), `status` the last HTTP status (undefined: none came).
 */
export class ModelInvocationError extends Error {
  override readonly name = 'ModelInvocationError';

  constructor(
    message: string,
    readonly status: number | undefined,
    readonly lines: readonly string[],
  ) {
    super(message);
  }
}

/** The least first pause after a lost or refused connection (a model server restarts after ~1 s). */
const reconnectDelayMs = 1000;

/** The longest excerpt of a model's error body quoted in a FailureReason. */
const excerptChars = 512;

/**
 * POSTs `request` through the instance's containers (one, or a serial pipeline), retrying a timeout,
 * a lost or refused connection (a model server restarting) and 5xx/429 answers up to `maxRetries`
 * times with a doubling pause; a 4xx answer is final. Resolves with the 2xx answer. Throws
 * ModelInvocationError, or the signal's reason when aborted.
 */
export async function invokeModel(
  instance: HostedInstance,
  containers: readonly HostedContainer[],
  request: PipelineRequest,
  options: InvokeOptions,
): Promise<ModelAnswer> {
  const pause = options.retryDelayMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await forwardThroughPipeline(instance, containers, request, Date.now() + options.timeoutMs);
      return { body: response.body, contentType: headerText(response.headers, 'content-type') };
    } catch (error) {
      if (!(error instanceof PipelineStepError)) throw error;
      const failure = describeFailure(error, containers.length > 1, options.timeoutMs);
      if (options.signal?.aborted) throw options.signal.reason;
      if (!failure.retryable || attempt >= options.maxRetries) throw failure.error;
      const base = 'requestError' in error.failure ? Math.max(pause, reconnectDelayMs) : pause;
      await delay(base * 2 ** attempt, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

function describeFailure(error: PipelineStepError, pipeline: boolean, timeoutMs: number): { error: ModelInvocationError; retryable: boolean } {
  const where = pipeline ? ` (container ${error.container})` : '';
  if ('response' in error.failure) {
    const response: ContainerResponse = error.failure.response;
    const text = response.body.toString('utf8');
    const excerpt = text.length > excerptChars ? `${text.slice(0, excerptChars)}…` : text;
    const head = `Bad HTTP status received from algorithm: ${response.status}${where}`;
    return {
      error: new ModelInvocationError(excerpt.trim() === '' ? head : `${head}. Message: ${excerpt.trim()}`, response.status, [
        head,
        '',
        'Message:',
        ...text.split('\n').filter((line) => line.trim() !== ''),
      ]),
      retryable: response.status >= 500 || response.status === 429,
    };
  }
  const cause = error.failure.requestError;
  const detail =
    cause.kind === 'timeout'
      ? `the model did not answer within ${Math.round(timeoutMs / 1000)} s (ModelClientConfig.InvocationsTimeoutInSeconds)`
      : `the connection to the model server was ${cause.kind === 'refused' ? 'refused' : 'closed before it answered'}`;
  const head = `Unable to get response from algorithm${where}: ${detail}`;
  return { error: new ModelInvocationError(head, undefined, [head]), retryable: true };
}
