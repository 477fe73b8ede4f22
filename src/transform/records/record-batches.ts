import { framedBatches, recordIOFraming, tfRecordFraming } from './framed-batches.js';
import { lineBatches } from './line-batches.js';
import type { RecordBatch, RecordBatchOptions } from './record-batch.js';
import { RecordTooLarge } from './record-too-large.js';

/** How large a MultiRecord batch grows when MaxPayloadInMB is 0 (no limit): the default 6 MB. */
const UNLIMITED_BATCH_BYTES = 6 * 1024 * 1024;

/**
 * Splits a (decompressed) object stream into records and packs consecutive records into batches of
 * at most `maxPayloadBytes`, streaming: memory stays around two batches whatever the object's size.
 * One call handles one object (batches never mix objects); an empty object gives no batch.
 *
 * - `Line`: records end at `\n` (a `\r` before it is dropped; empty lines are skipped, so each record
 *   is one non-empty line); a MultiRecord body is the records joined by `\n` (no trailing newline).
 * - `RecordIO` (MXNet: magic, flag|length, payload, padding; split records re-joined) and `TFRecord`
 *   (length, CRC, data, CRC; both CRCs checked): SingleRecord sends the payload, MultiRecord the
 *   records' framed bytes as stored; `records` are the payloads.
 * - `None`: the whole object is one record (buffered whole).
 *
 * `maxPayloadBytes` 0 means no limit on a record's size; MultiRecord batches then still close at
 * {@link UNLIMITED_BATCH_BYTES} (a larger record goes alone) so that memory stays bounded.
 * Throws RecordTooLarge for a record (payload for SingleRecord, framed record for MultiRecord) over
 * the limit — as soon as its size is known, before it is read whole — or an Error naming the byte
 * offset for corrupt RecordIO/TFRecord framing or a truncated last record.
 */
export function recordBatches(source: AsyncIterable<Buffer>, options: RecordBatchOptions): AsyncIterable<RecordBatch> {
  const { splitType, strategy, maxPayloadBytes } = options;
  if (!Number.isFinite(maxPayloadBytes) || maxPayloadBytes < 0) throw new RangeError(`maxPayloadBytes must be ≥ 0, got ${maxPayloadBytes}`);
  const batchBytes = maxPayloadBytes > 0 ? maxPayloadBytes : UNLIMITED_BATCH_BYTES;
  switch (splitType) {
    case 'Line':
      return lineBatches(source, strategy, maxPayloadBytes, batchBytes);
    case 'RecordIO':
      return framedBatches(source, recordIOFraming, strategy, maxPayloadBytes, batchBytes);
    case 'TFRecord':
      return framedBatches(source, tfRecordFraming, strategy, maxPayloadBytes, batchBytes);
    case 'None':
      return wholeObject(source, maxPayloadBytes);
    default:
      return assertNever(splitType);
  }
}

async function* wholeObject(source: AsyncIterable<Buffer>, limitBytes: number): AsyncGenerator<RecordBatch> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (limitBytes > 0 && size > limitBytes) throw new RecordTooLarge(size, limitBytes, false);
    chunks.push(chunk);
  }
  if (size === 0) return;
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  yield { body, records: [body], count: 1 };
}

function assertNever(value: never): never {
  throw new Error(`unknown SplitType ${String(value)}`);
}
