import type { RecordBatch, RecordBatchOptions } from './record-batch.js';

/**
 * Splits a (decompressed) object stream into records and packs consecutive records into batches of at
 * most `maxPayloadBytes` (0 = unlimited), streaming with bounded memory; one call handles one file.
 * Throws RecordTooLarge, or an Error naming the offset for corrupt framing.
 */
export async function* recordBatches(source: AsyncIterable<Buffer>, options: RecordBatchOptions): AsyncIterable<RecordBatch> {
  void source;
  void options;
  throw new Error('recordBatches: not implemented yet');
}
