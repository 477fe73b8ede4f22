/** How an input object is cut into records (TransformInput.SplitType). */
export type SplitType = 'None' | 'Line' | 'RecordIO' | 'TFRecord';

/** How records are packed into requests (CreateTransformJob's BatchStrategy). */
export type BatchStrategy = 'SingleRecord' | 'MultiRecord';

/**
 * One request's worth of records: `body` is what is POSTed to the model; `records` are the original
 * record bytes (for JoinSource and per-record output).
 */
export interface RecordBatch {
  readonly body: Buffer;
  readonly records: readonly Buffer[];
  /** `records.length`, without materialising `records` (which batches from recordBatches build only when read). */
  readonly count: number;
}

/** Options of {@link recordBatches}. */
export interface RecordBatchOptions {
  readonly splitType: SplitType;
  readonly strategy: BatchStrategy;
  /** The largest request body in bytes (MaxPayloadInMB × 1 MiB); 0 means unlimited. */
  readonly maxPayloadBytes: number;
}
