import type { TransformJobRecord, TransformJobStatus } from './transform-job-record.js';
import type { TransformOutcome } from './transform-runner.js';

/** How long a FailureReason may be (the service model's limit). */
const MAX_REASON = 1024;

function assertNever(value: never): never {
  throw new Error(`unhandled outcome ${JSON.stringify(value)}`);
}

/**
 * The final status of a run that ended with `outcome`: Completed, Failed with the runner's reason
 * (cut to 1024 characters), or Stopped. A job asked to stop ends Stopped even if its run had
 * already finished every file (as a stopped training job does).
 */
export function finalStatus(outcome: TransformOutcome, stopRequested: boolean): { status: TransformJobStatus; failureReason?: string } {
  switch (outcome.kind) {
    case 'completed':
      return { status: stopRequested ? 'Stopped' : 'Completed' };
    case 'failed':
      return { status: 'Failed', failureReason: outcome.reason.slice(0, MAX_REASON) };
    case 'stopped':
      return { status: 'Stopped' };
    default:
      return assertNever(outcome);
  }
}

/** The record after its run ended with `outcome` at `now` (TransformEndTime set). */
export function finish(record: TransformJobRecord, outcome: TransformOutcome, now: number): TransformJobRecord {
  const final = finalStatus(outcome, record.status === 'Stopping');
  const { failureReason: _previous, ...rest } = record;
  return {
    ...rest,
    status: final.status,
    ...(final.failureReason !== undefined ? { failureReason: final.failureReason } : {}),
    lastModifiedTime: now,
    transformEndTime: now,
  };
}
