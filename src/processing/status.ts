import { finalStatus, type JobOutcome } from '../training/index.js';
import type { ProcessingJobRecord, ProcessingJobStatus } from './processing-job-record.js';

/** Characters of the failing container's ExitMessage that FailureReason quotes (its end: where the error usually is). */
const REASON_TAIL = 900;

/**
 * The outcome of a processing job's run, with the ExitMessage tail as the failure text: the same
 * statuses and FailureReason wording as training (`AlgorithmError: <tail>, exit code: <n>`,
 * `ClientError: …`, `InternalServerError: …`; a timeout ends Stopped), see finalStatus.
 */
export function processingOutcome(outcome: JobOutcome, failingMessage: string | undefined): JobOutcome {
  if (outcome.kind !== 'algorithm-error') return outcome;
  const text = (failingMessage ?? outcome.failure ?? '').trim();
  const { failure: _ignored, ...rest } = outcome;
  return text === '' ? rest : { ...rest, failure: text.length > REASON_TAIL ? `…${text.slice(-REASON_TAIL)}` : text };
}

/** The record after a run ended with `outcome` at `now`: final status, FailureReason, ExitMessage, ProcessingEndTime. */
export function finishProcessing(record: ProcessingJobRecord, outcome: JobOutcome, now: number, exitMessage: string | undefined): ProcessingJobRecord {
  const final = finalStatus(outcome);
  const { failureReason: _old, ...rest } = record;
  return {
    ...rest,
    status: final.status as ProcessingJobStatus,
    lastModifiedTime: now,
    processingEndTime: now,
    ...(final.failureReason !== undefined ? { failureReason: final.failureReason } : {}),
    ...(exitMessage !== undefined && exitMessage !== '' ? { exitMessage } : {}),
  };
}
