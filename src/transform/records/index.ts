export { recordBatches, UNLIMITED_BATCH_BYTES } from './record-batches.js';
export { RecordTooLarge } from './record-too-large.js';
export type { RecordBatch, RecordBatchOptions, SplitType, BatchStrategy } from './record-batch.js';
