import { ByteWindow } from './byte-window.js';
import type { BatchStrategy, RecordBatch } from './record-batch.js';
import { RecordTooLarge } from './record-too-large.js';
import { SpanBatch } from './span-batch.js';

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Line records: cut at `\n`, a `\r` before it dropped, empty lines skipped (so every record is one
 * request row). SingleRecord: one record per batch; MultiRecord: consecutive records joined by `\n`
 * while the body stays within `batchBytes`. `limitBytes` (0 = none) is the largest record allowed.
 */
export async function* lineBatches(
  source: AsyncIterable<Buffer>,
  strategy: BatchStrategy,
  limitBytes: number,
  batchBytes: number,
): AsyncGenerator<RecordBatch> {
  const window = new ByteWindow();
  // stream offsets: start, end of each pending record (MultiRecord)
  let pending: number[] = [];
  let pendingBytes = 0;
  let scan = 0;

  const take = (): RecordBatch => {
    const batch = joined(window, pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return batch;
  };

  // Adds a record [start, end); returns a batch when one is complete.
  const add = (start: number, end: number): RecordBatch | undefined => {
    const length = end - start;
    if (length === 0) return undefined;
    if (limitBytes > 0 && length > limitBytes) throw new RecordTooLarge(length, limitBytes);
    if (strategy === 'SingleRecord') {
      const body = window.view(start, end);
      return new SpanBatch(body, [0, length]);
    }
    let out: RecordBatch | undefined;
    if (pending.length > 0 && pendingBytes + 1 + length > batchBytes) {
      out = take();
    }
    pendingBytes += pending.length > 0 ? 1 + length : length;
    pending.push(start, end);
    return out;
  };

  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    window.append(chunk);
    for (;;) {
      const newline = window.indexOf(NEWLINE, scan);
      if (newline < 0) break;
      const end = newline > scan && window.byte(newline - 1) === CR ? newline - 1 : newline;
      const batch = add(scan, end);
      scan = newline + 1;
      window.release(pending[0] ?? scan);
      if (batch) yield batch;
    }
    // an unterminated line already over the limit (+1 for a possible CR) fails now, not at its end
    if (limitBytes > 0 && window.end - scan > limitBytes + 1) throw new RecordTooLarge(window.end - scan - 1, limitBytes, false);
  }
  if (scan < window.end) {
    const last = add(scan, window.end > scan && window.byte(window.end - 1) === CR ? window.end - 1 : window.end);
    if (last) yield last;
  }
  if (pending.length > 0) yield take();
}

/** The pending records as one body joined by `\n`: a view when they are adjacent in the stream. */
function joined(window: ByteWindow, pending: readonly number[], bytes: number): RecordBatch {
  const first = pending[0] as number;
  const last = pending[pending.length - 1] as number;
  const spans: number[] = new Array<number>(pending.length);
  const adjacent = last - first === bytes;
  for (let i = 0; i < pending.length; i++) spans[i] = (pending[i] as number) - first;
  if (adjacent) return new SpanBatch(window.view(first, last), spans);
  const body = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < pending.length; i += 2) {
    if (i > 0) body[at++] = NEWLINE;
    const start = pending[i] as number;
    const end = pending[i + 1] as number;
    spans[i] = at;
    at += window.view(start, end).copy(body, at);
    spans[i + 1] = at;
  }
  return new SpanBatch(body, spans);
}
