export { recordBatches } from './record-batches.js';
export { RecordTooLarge } from './record-too-large.js';
export type { RecordBatch, RecordBatchOptions, SplitType, BatchStrategy } from './record-batch.js';
