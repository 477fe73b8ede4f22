import type { RecordBatch } from '../records/index.js';
import type { DataProcessingSpec } from './data-processing-spec.js';

/** Per-job record processing for DataProcessing (InputFilter, JoinSource, OutputFilter). */
export interface RecordProcessor {
  /** The request body for a batch: each record passed through InputFilter, re-joined with `\n`. */
  request(batch: RecordBatch): Buffer;
  /**
   * The outputs for a batch's response: one output per record, each joined with its original input
   * record when JoinSource=Input, then OutputFilter applied. Throws DataProcessingError naming the cause.
   */
  response(batch: RecordBatch, body: Buffer): Buffer[];
}

/** Content types of the job, used to decide between CSV and JSON handling. */
export interface RecordTypes {
  readonly contentType?: string;
  readonly accept?: string;
}

/**
 * The job's record processor; `undefined` when DataProcessing is absent or all defaults (the runner
 * then posts batch.body and writes responses as they are).
 */
export function recordProcessor(dp: DataProcessingSpec | undefined, types: RecordTypes): RecordProcessor | undefined {
  void types;
  if (dp === undefined) return undefined;
  throw new Error('recordProcessor: not implemented yet');
}
