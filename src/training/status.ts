import type { SecondaryStatus, StatusTransition, TrainingJobRecord, TrainingJobStatus } from './training-job-record.js';

/** How a run of a job ended, as the runner observed it. */
export type JobOutcome =
  | { readonly kind: 'completed' }
  /** An instance exited non-zero or was killed; `failure` is the first instance's /opt/ml/output/failure text. */
  | { readonly kind: 'algorithm-error'; readonly exitCode: number | null; readonly signal?: string; readonly failure?: string }
  /** Bad input the user can fix (missing data, image, code). */
  | { readonly kind: 'client-error'; readonly message: string }
  /** The platform failed (staging I/O, the supervisor could not start); retried per RetryStrategy. */
  | { readonly kind: 'platform-error'; readonly message: string }
  /** The supervisor died without a result (found so on re-attaching after a restart, or while the server watched). */
  | { readonly kind: 'supervisor-lost'; readonly whileServerDown: boolean }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'max-runtime-exceeded' };

/** The final status an outcome gives a job. */
export interface FinalStatus {
  readonly status: TrainingJobStatus;
  readonly secondaryStatus: SecondaryStatus;
  readonly statusMessage: string;
  readonly failureReason?: string;
}

const MAX_REASON = 1024;
const CLIENT_ERROR = 'ClientError: ';
const ALGORITHM_ERROR = 'AlgorithmError: ';

function assertNever(value: never): never {
  throw new Error(`unhandled outcome ${JSON.stringify(value)}`);
}

/**
 * Outcome → TrainingJobStatus, SecondaryStatus and FailureReason as SageMaker reports them:
 * `AlgorithmError: <failure file>, exit code: <n>` (a failure file that already starts with
 * `AlgorithmError: ` is not prefixed twice; one that starts with `ClientError: ` — how the built-in
 * algorithms report bad input — is the reason as written), `ClientError: …`, `InternalServerError: …`;
 * a timeout ends Stopped with SecondaryStatus MaxRuntimeExceeded. Reasons are cut to 1024 characters.
 */
export function finalStatus(outcome: JobOutcome): FinalStatus {
  const failed = (reason: string): FinalStatus => ({
    status: 'Failed',
    secondaryStatus: 'Failed',
    statusMessage: 'Training job failed',
    failureReason: reason.slice(0, MAX_REASON),
  });
  switch (outcome.kind) {
    case 'completed':
      return { status: 'Completed', secondaryStatus: 'Completed', statusMessage: 'Training job completed' };
    case 'algorithm-error': {
      const failure = outcome.failure ?? '';
      // The built-in algorithms classify their own failures: bad input is the user's to fix, reported as written.
      if (failure.startsWith(CLIENT_ERROR)) return failed(failure);
      const code = outcome.exitCode ?? (outcome.signal ? `killed by ${outcome.signal}` : 'unknown');
      const text = failure.startsWith(ALGORITHM_ERROR) ? failure.slice(ALGORITHM_ERROR.length) : failure;
      return failed(`AlgorithmError: ${text.slice(0, MAX_REASON)}, exit code: ${String(code)}`);
    }
    case 'client-error':
      return failed(`ClientError: ${outcome.message}`);
    case 'platform-error':
      return failed(`InternalServerError: ${outcome.message}`);
    case 'supervisor-lost':
      return failed(
        outcome.whileServerDown
          ? 'InternalServerError: the training processes died while the Salvia server was down (their supervisor is gone and left no result)'
          : 'InternalServerError: the training processes ended unexpectedly (their supervisor died and left no result)',
      );
    case 'stopped':
      return { status: 'Stopped', secondaryStatus: 'Stopped', statusMessage: 'Training job stopped' };
    case 'max-runtime-exceeded':
      return { status: 'Stopped', secondaryStatus: 'MaxRuntimeExceeded', statusMessage: 'Training job exceeded MaxRuntimeInSeconds provided' };
    default:
      return assertNever(outcome);
  }
}

/** Whether RetryStrategy may run the job again after this outcome (platform failures only, as on SageMaker). */
export function isRetryable(outcome: JobOutcome): boolean {
  return outcome.kind === 'platform-error';
}

/** The StatusMessage SageMaker shows when a job enters a secondary status. */
export function defaultStatusMessage(status: SecondaryStatus): string {
  switch (status) {
    case 'Starting':
      return 'Starting the training job';
    case 'Downloading':
      return 'Downloading input data';
    case 'Training':
      return 'Training image download completed. Training in progress.';
    case 'Uploading':
      return 'Uploading generated training model';
    case 'Stopping':
      return 'Stopping the training job';
    case 'Stopped':
      return 'Training job stopped';
    case 'MaxRuntimeExceeded':
      return 'Training job exceeded MaxRuntimeInSeconds provided';
    case 'Completed':
      return 'Training job completed';
    case 'Failed':
      return 'Training job failed';
    case 'Restarting':
      return 'Restarting the training job after an internal error';
    default:
      return assertNever(status);
  }
}

/** Whether a job has reached its final status. */
export function isTerminal(status: TrainingJobStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Stopped';
}

/**
 * The record after entering `secondary` at `now`: the previous transition gets its EndTime, a new
 * one is appended (with a StatusMessage, which the SDK indexes), LastModifiedTime moves. Entering
 * the current secondary status again only updates the primary status.
 */
export function enterStatus(
  record: TrainingJobRecord,
  status: TrainingJobStatus,
  secondary: SecondaryStatus,
  now: number,
  message?: string,
): TrainingJobRecord {
  if (record.secondaryStatus === secondary && record.transitions.length > 0) return { ...record, status, lastModifiedTime: now };
  const closed = record.transitions.map((t, i) => (i === record.transitions.length - 1 && t.endTime === undefined ? { ...t, endTime: now } : t));
  const terminal = isTerminal(status);
  const entry: StatusTransition = terminal
    ? { status: secondary, startTime: now, endTime: now, statusMessage: message ?? defaultStatusMessage(secondary) }
    : { status: secondary, startTime: now, statusMessage: message ?? defaultStatusMessage(secondary) };
  return { ...record, status, secondaryStatus: secondary, transitions: [...closed, entry], lastModifiedTime: now };
}

/** The record after a run ended with `outcome` (training end time set, times billed ≥ 1 s). */
export function finish(record: TrainingJobRecord, outcome: JobOutcome, now: number): TrainingJobRecord {
  const final = finalStatus(outcome);
  const next = enterStatus(record, final.status, final.secondaryStatus, now, final.statusMessage);
  return {
    ...next,
    ...(final.failureReason !== undefined ? { failureReason: final.failureReason } : {}),
    trainingEndTime: now,
  };
}

/** TrainingTimeInSeconds / BillableTimeInSeconds: whole seconds from training start to end (≥ 1 once ended). */
export function trainingSeconds(record: TrainingJobRecord): number | undefined {
  if (record.trainingStartTime === undefined || record.trainingEndTime === undefined) return undefined;
  return Math.max(1, Math.round((record.trainingEndTime - record.trainingStartTime) / 1000));
}
