import { RECORDIO_MAGIC, RECORDIO_MAX_PART } from '../../training/pipe/index.js';
import { maskedCrc32c } from './crc32c.js';
import { ByteWindow } from './byte-window.js';
import type { BatchStrategy, RecordBatch } from './record-batch.js';
import { RecordTooLarge } from './record-too-large.js';
import { SpanBatch } from './span-batch.js';

const RECORDIO_MAGIC_BYTES = Buffer.alloc(4);
RECORDIO_MAGIC_BYTES.writeUInt32LE(RECORDIO_MAGIC);

/** One framed record found in the stream: stream offsets of its frame and (single-part) payload. */
interface Frame {
  readonly frameStart: number;
  readonly frameEnd: number;
  /** The payload as a view, or assembled (multi-part RecordIO). */
  readonly payload: Buffer;
  /** Payload offsets when the payload is one contiguous span of the frame. */
  readonly payloadStart: number;
  readonly payloadEnd: number;
}

/** The framing of a split type: how long a header is and how to read one record at `offset`. */
interface Framing {
  readonly name: string;
  /**
   * The record at `offset` when all its bytes are in the window (`undefined`: more bytes needed);
   * `atEnd`: no more bytes will come. Throws for corrupt framing. `sizeHint(bytes)` is called with
   * the record's size as soon as the header tells it (so a huge record is refused unread).
   */
  read(window: ByteWindow, offset: number, atEnd: boolean, sizeHint: (bytes: number) => void): Frame | undefined;
}

/**
 * Framed records (RecordIO, TFRecord). SingleRecord: one request per record carrying the payload;
 * MultiRecord: consecutive records' framed bytes (as stored) while within `batchBytes`.
 * `limitBytes` (0 = none) is the largest payload (SingleRecord) or frame (MultiRecord) allowed.
 */
export async function* framedBatches(
  source: AsyncIterable<Buffer>,
  framing: Framing,
  strategy: BatchStrategy,
  limitBytes: number,
  batchBytes: number,
): AsyncGenerator<RecordBatch> {
  const window = new ByteWindow();
  let pending: Frame[] = [];
  let scan = 0;
  const check = (bytes: number): void => {
    if (limitBytes > 0 && bytes > limitBytes) throw new RecordTooLarge(bytes, limitBytes);
  };
  const take = (): RecordBatch => {
    const batch = multi(window, pending);
    pending = [];
    return batch;
  };

  const drain = function* (atEnd: boolean): Generator<RecordBatch> {
    for (;;) {
      if (scan >= window.end) return;
      const frame = framing.read(window, scan, atEnd, check);
      if (!frame) {
        if (atEnd) throw new Error(`${framing.name}: truncated record at byte offset ${scan} (the object ends inside it)`);
        return;
      }
      scan = frame.frameEnd;
      if (strategy === 'SingleRecord') {
        check(frame.payload.length);
        window.release(scan);
        yield new SpanBatch(frame.payload, [0, frame.payload.length]);
        continue;
      }
      const size = frame.frameEnd - frame.frameStart;
      check(size);
      const first = pending[0];
      if (first && frame.frameEnd - first.frameStart > batchBytes) yield take();
      pending.push(frame);
      window.release((pending[0] as Frame).frameStart);
    }
  };

  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    window.append(chunk);
    yield* drain(false);
  }
  yield* drain(true);
  if (pending.length > 0) yield take();
}

function multi(window: ByteWindow, frames: readonly Frame[]): RecordBatch {
  const start = (frames[0] as Frame).frameStart;
  const body = window.view(start, (frames[frames.length - 1] as Frame).frameEnd);
  if (frames.every((f) => f.payloadEnd >= f.payloadStart && f.payloadStart >= 0)) {
    return new SpanBatch(
      body,
      frames.flatMap((f) => [f.payloadStart - start, f.payloadEnd - start]),
    );
  }
  return { body, records: frames.map((f) => f.payload), count: frames.length };
}

/**
 * MXNet RecordIO: uint32 magic 0xced7230a, uint32 (flag << 29 | length), payload, zero padding to 4
 * bytes; a record may be split in parts (flags 1 first, 2 middle, 3 last) joined by the magic bytes.
 */
export const recordIOFraming: Framing = {
  name: 'RecordIO',
  read(window, offset, atEnd, sizeHint) {
    const parts: Buffer[] = [];
    let at = offset;
    let total = 0;
    for (;;) {
      if (window.end - at < 8) return undefined;
      const magic = window.uint32(at);
      if (magic !== RECORDIO_MAGIC)
        throw new Error(
          `RecordIO: invalid magic number 0x${magic.toString(16).padStart(8, '0')} at byte offset ${at}; expected 0xced7230a (is the object really RecordIO?)`,
        );
      const header = window.uint32(at + 4);
      const flag = header >>> 29;
      const length = header & RECORDIO_MAX_PART;
      const continuing = parts.length > 0;
      if (continuing ? flag !== 2 && flag !== 3 : flag !== 0 && flag !== 1)
        throw new Error(`RecordIO: unexpected continuation flag ${flag} at byte offset ${at}${continuing ? ' inside a split record' : ''}`);
      total += length + (continuing ? 4 : 0);
      sizeHint(total);
      const padded = (length + 3) & ~3;
      const dataEnd = at + 8 + length;
      // the last record's padding may be missing at the very end of an object
      const frameEnd = atEnd && window.end < at + 8 + padded && window.end >= dataEnd ? window.end : at + 8 + padded;
      if (window.end < frameEnd) return undefined;
      if (flag === 0) return { frameStart: offset, frameEnd, payload: window.view(at + 8, dataEnd), payloadStart: at + 8, payloadEnd: dataEnd };
      parts.push(window.view(at + 8, dataEnd));
      at = frameEnd;
      if (flag === 3) {
        const payload = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [RECORDIO_MAGIC_BYTES, p])));
        return { frameStart: offset, frameEnd: at, payload, payloadStart: -1, payloadEnd: -2 };
      }
    }
  },
};

/** TFRecord: uint64 length, uint32 masked CRC-32C of the length, data, uint32 masked CRC-32C of the data. */
export const tfRecordFraming: Framing = {
  name: 'TFRecord',
  read(window, offset, _atEnd, sizeHint) {
    if (window.end - offset < 12) return undefined;
    const lengthBytes = window.view(offset, offset + 8);
    if (maskedCrc32c(lengthBytes) !== window.uint32(offset + 8))
      throw new Error(`TFRecord: corrupt record length at byte offset ${offset} (its CRC does not match; is the object really TFRecord?)`);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    sizeHint(length);
    const end = offset + 16 + length;
    if (window.end < end) return undefined;
    const payload = window.view(offset + 12, offset + 12 + length);
    if (maskedCrc32c(payload) !== window.uint32(offset + 12 + length))
      throw new Error(`TFRecord: corrupt record data at byte offset ${offset} (its CRC does not match)`);
    return { frameStart: offset, frameEnd: end, payload, payloadStart: offset + 12, payloadEnd: offset + 12 + length };
  },
};
