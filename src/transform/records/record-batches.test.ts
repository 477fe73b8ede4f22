import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordIOHeader, recordIOPadding, type RecordIOFlag } from '../../training/pipe/index.js';
import { maskedCrc32c } from './crc32c.js';
import { recordBatches, RecordTooLarge, type BatchStrategy, type RecordBatch, type SplitType } from './index.js';

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part;
}

async function collect(source: AsyncIterable<Buffer>, splitType: SplitType, strategy: BatchStrategy, maxPayloadBytes: number): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of recordBatches(source, { splitType, strategy, maxPayloadBytes })) out.push(batch);
  return out;
}

/** Bodies and records as strings (hex for binary), comparable with deepEqual. */
function shape(batches: RecordBatch[], encoding: BufferEncoding = 'utf8'): Array<{ body: string; records: string[] }> {
  for (const b of batches) assert.equal(b.count, b.records.length);
  return batches.map((b) => ({ body: b.body.toString(encoding), records: b.records.map((r) => r.toString(encoding)) }));
}

/** The same result for the whole input as one chunk, split in two at every byte, and one byte per chunk. */
async function sameAtEveryBoundary(input: Buffer, splitType: SplitType, strategy: BatchStrategy, max: number, encoding: BufferEncoding = 'utf8') {
  const whole = shape(await collect(chunks(input), splitType, strategy, max), encoding);
  for (let cut = 0; cut <= input.length; cut++) {
    const split = shape(await collect(chunks(input.subarray(0, cut), input.subarray(cut)), splitType, strategy, max), encoding);
    assert.deepEqual(split, whole, `split at byte ${cut}`);
  }
  const bytes = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
  assert.deepEqual(shape(await collect(chunks(...bytes), splitType, strategy, max), encoding), whole, 'one byte per chunk');
  return whole;
}

function recordIO(payload: Buffer, split = false): Buffer {
  const frame = (flag: RecordIOFlag, data: Buffer): Buffer => Buffer.concat([recordIOHeader(data.length, flag), data, recordIOPadding(data.length)]);
  if (!split) return frame(0, payload);
  // MXNet's writer splits a record where the magic number appears (4-byte aligned) in its data
  const magic = payload.indexOf(Buffer.from([0x0a, 0x23, 0xd7, 0xce]));
  return Buffer.concat([frame(1, payload.subarray(0, magic)), frame(3, payload.subarray(magic + 4))]);
}

function tfRecord(data: Buffer): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(data.length));
  const lengthCrc = Buffer.alloc(4);
  lengthCrc.writeUInt32LE(maskedCrc32c(length));
  const dataCrc = Buffer.alloc(4);
  dataCrc.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([length, lengthCrc, data, dataCrc]);
}

describe('recordBatches: Line', () => {
  const input = Buffer.from('a,1\nbb,2\r\n\nccc,3\r\n\r\ndd,4');

  it('MultiRecord joins records by \\n (CR LF and empty lines dropped, last line without newline kept) at every chunk boundary', async () => {
    const result = await sameAtEveryBoundary(input, 'Line', 'MultiRecord', 1000);
    assert.deepEqual(result, [{ body: 'a,1\nbb,2\nccc,3\ndd,4', records: ['a,1', 'bb,2', 'ccc,3', 'dd,4'] }]);
  });

  it('SingleRecord sends one record per batch', async () => {
    const result = await sameAtEveryBoundary(input, 'Line', 'SingleRecord', 5);
    assert.deepEqual(
      result.map((b) => b.body),
      ['a,1', 'bb,2', 'ccc,3', 'dd,4'],
    );
    assert.deepEqual(
      result.map((b) => b.records),
      [['a,1'], ['bb,2'], ['ccc,3'], ['dd,4']],
    );
  });

  it('MultiRecord packs as many consecutive records as fit in the payload limit, separators counted', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const result = await sameAtEveryBoundary(Buffer.from(lines.join('\n') + '\n'), 'Line', 'MultiRecord', 8);
    assert.deepEqual(
      result.map((b) => b.body),
      ['r0\nr1\nr2', 'r3\nr4\nr5', 'r6\nr7\nr8', 'r9'],
    );
    // a record exactly as large as the limit fits alone
    const exact = await collect(chunks(Buffer.from('12345678\n1\n')), 'Line', 'MultiRecord', 8);
    assert.deepEqual(shape(exact), [
      { body: '12345678', records: ['12345678'] },
      { body: '1', records: ['1'] },
    ]);
  });

  it('a batch spanning skipped bytes is rebuilt, records stay spans of its body', async () => {
    const [batch] = await collect(chunks(Buffer.from('x\r\n\r\ny\r\nz')), 'Line', 'MultiRecord', 100);
    assert.equal(batch?.body.toString(), 'x\ny\nz');
    assert.equal(batch?.records[2]?.buffer, batch?.body.buffer);
  });

  it('refuses a record larger than MaxPayloadInMB, naming both sizes', async () => {
    await assert.rejects(collect(chunks(Buffer.from('ok\n0123456789\nok\n')), 'Line', 'MultiRecord', 8), (error: unknown) => {
      assert.ok(error instanceof RecordTooLarge);
      assert.equal(error.recordBytes, 10);
      assert.equal(error.maxPayloadBytes, 8);
      assert.match(error.message, /record of 10 bytes is larger than the maximum payload size of 8 bytes/);
      return true;
    });
    await assert.rejects(collect(chunks(Buffer.from('0123456789')), 'Line', 'SingleRecord', 9), RecordTooLarge);
    // the limit is the record, not counting its CR LF
    assert.equal((await collect(chunks(Buffer.from('12345678\r\n')), 'Line', 'SingleRecord', 8)).length, 1);
  });

  it('refuses a huge unterminated line without reading it whole', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        read++;
        yield Buffer.alloc(64 * 1024, 0x41);
      }
    }
    await assert.rejects(collect(endless(), 'Line', 'MultiRecord', 1024 * 1024), (error: unknown) => error instanceof RecordTooLarge && !error.complete);
    assert.ok(read <= 17, `read ${read} chunks`);
  });

  it('gives no batch for an empty object or one of only newlines', async () => {
    assert.deepEqual(await collect(chunks(), 'Line', 'MultiRecord', 10), []);
    assert.deepEqual(await collect(chunks(Buffer.from('\n\r\n\n')), 'Line', 'MultiRecord', 10), []);
  });

  it('MaxPayloadInMB 0 allows any record size and closes MultiRecord batches at 6 MB', async () => {
    const big = Buffer.alloc(7 * 1024 * 1024, 0x61);
    const small = Buffer.alloc(1024 * 1024, 0x62);
    const input = Buffer.concat([small, Buffer.from('\n'), big, Buffer.from('\n'), small, Buffer.from('\n'), small]);
    const batches = await collect(chunks(input), 'Line', 'MultiRecord', 0);
    assert.deepEqual(
      batches.map((b) => b.records.length),
      [1, 1, 2],
    );
  });

  it('streams a large object in bounded batches whose records rebuild the input exactly', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${(i * 7919) % 1000},${'x'.repeat(i % 37)}`);
    const input = Buffer.from(lines.join('\n') + '\n');
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let at = 0, n = 1; at < input.length; at += n, n = (n * 31 + 7) % 70_001) yield input.subarray(at, at + n);
    }
    const max = 64 * 1024;
    const seen: string[] = [];
    let batches = 0;
    for await (const batch of recordBatches(pieces(), { splitType: 'Line', strategy: 'MultiRecord', maxPayloadBytes: max })) {
      assert.ok(batch.body.length <= max);
      assert.equal(batch.body.toString(), batch.records.map((r) => r.toString()).join('\n'));
      for (const record of batch.records) seen.push(record.toString());
      batches++;
    }
    assert.equal(seen.length, lines.length);
    assert.ok(seen.every((line, i) => line === lines[i]));
    assert.ok(batches >= Math.floor(input.length / max));
  });
});

describe('recordBatches: RecordIO', () => {
  const payloads = [Buffer.from('hello'), Buffer.from(''), Buffer.from('four'), Buffer.from([1, 2, 3, 4, 0x0a, 0x23, 0xd7, 0xce, 9, 9])];
  const input = Buffer.concat([recordIO(payloads[0]!), recordIO(payloads[1]!), recordIO(payloads[2]!), recordIO(payloads[3]!, true)]);

  it('SingleRecord sends each payload (padding removed, split records re-joined with the magic) at every chunk boundary', async () => {
    const result = await sameAtEveryBoundary(input, 'RecordIO', 'SingleRecord', 100, 'hex');
    assert.deepEqual(
      result.map((b) => b.body),
      payloads.map((p) => p.toString('hex')),
    );
  });

  it('MultiRecord sends the framed bytes as stored; records are the payloads', async () => {
    const result = await sameAtEveryBoundary(input, 'RecordIO', 'MultiRecord', 1000, 'hex');
    assert.deepEqual(result, [{ body: input.toString('hex'), records: payloads.map((p) => p.toString('hex')) }]);
    const small = await collect(chunks(input), 'RecordIO', 'MultiRecord', 24);
    assert.deepEqual(
      small.map((b) => b.body.toString('hex')),
      [
        Buffer.concat([recordIO(payloads[0]!), recordIO(payloads[1]!)]).toString('hex'),
        recordIO(payloads[2]!).toString('hex'),
        recordIO(payloads[3]!, true).toString('hex'),
      ],
    );
  });

  it('fails on a bad magic number, a truncated record or a record over the limit', async () => {
    await assert.rejects(
      collect(chunks(Buffer.from('not recordio at all')), 'RecordIO', 'SingleRecord', 100),
      /RecordIO: invalid magic number 0x20746f6e at byte offset 0/,
    );
    await assert.rejects(collect(chunks(input.subarray(0, input.length - 6)), 'RecordIO', 'SingleRecord', 100), /RecordIO: truncated record at byte offset 36/);
    await assert.rejects(collect(chunks(input), 'RecordIO', 'SingleRecord', 4), RecordTooLarge);
    // the header's length is enough to refuse: the rest of the record is never awaited
    const header = recordIO(Buffer.alloc(1000)).subarray(0, 8);
    await assert.rejects(collect(chunks(header), 'RecordIO', 'SingleRecord', 100), RecordTooLarge);
  });

  it('accepts a last record whose padding is missing', async () => {
    const result = await collect(chunks(recordIO(Buffer.from('hello')).subarray(0, 13)), 'RecordIO', 'SingleRecord', 100);
    assert.deepEqual(shape(result), [{ body: 'hello', records: ['hello'] }]);
  });
});

describe('recordBatches: TFRecord', () => {
  const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('a longer third record')];
  const input = Buffer.concat(payloads.map(tfRecord));

  it('SingleRecord sends the data, MultiRecord the framed records, at every chunk boundary', async () => {
    const single = await sameAtEveryBoundary(input, 'TFRecord', 'SingleRecord', 100);
    assert.deepEqual(
      single.map((b) => b.body),
      payloads.map((p) => p.toString()),
    );
    const multi = await sameAtEveryBoundary(input, 'TFRecord', 'MultiRecord', 1000, 'hex');
    assert.deepEqual(multi, [{ body: input.toString('hex'), records: payloads.map((p) => p.toString('hex')) }]);
    const packed = await collect(chunks(input), 'TFRecord', 'MultiRecord', 40);
    assert.deepEqual(
      packed.map((b) => b.records.length),
      [2, 1],
    );
  });

  it('fails on a corrupt length or data CRC and on a truncated record', async () => {
    const badLength = Buffer.from(input);
    badLength[0] = 9;
    await assert.rejects(collect(chunks(badLength), 'TFRecord', 'SingleRecord', 100), /TFRecord: corrupt record length at byte offset 0/);
    const badData = Buffer.from(input);
    badData[13] = 0x78;
    await assert.rejects(collect(chunks(badData), 'TFRecord', 'SingleRecord', 100), /TFRecord: corrupt record data at byte offset 0/);
    await assert.rejects(collect(chunks(input.subarray(0, 30)), 'TFRecord', 'SingleRecord', 100), /TFRecord: truncated record at byte offset 21/);
    await assert.rejects(collect(chunks(input), 'TFRecord', 'MultiRecord', 30), RecordTooLarge);
  });
});

describe('recordBatches: None', () => {
  it('sends the whole object as one record', async () => {
    const result = await sameAtEveryBoundary(Buffer.from('line 1\nline 2\n'), 'None', 'MultiRecord', 100);
    assert.deepEqual(result, [{ body: 'line 1\nline 2\n', records: ['line 1\nline 2\n'] }]);
    assert.deepEqual(await collect(chunks(), 'None', 'SingleRecord', 100), []);
  });

  it('refuses an object larger than the limit as soon as it passes it', async () => {
    await assert.rejects(collect(chunks(Buffer.alloc(60), Buffer.alloc(60), Buffer.alloc(60)), 'None', 'SingleRecord', 100), (error: unknown) => {
      assert.ok(error instanceof RecordTooLarge);
      assert.equal(error.recordBytes, 120);
      assert.match(error.message, /at least 120 bytes/);
      return true;
    });
  });

  it('rejects a negative limit', () => {
    assert.throws(() => recordBatches(chunks(), { splitType: 'None', strategy: 'SingleRecord', maxPayloadBytes: -1 }), RangeError);
  });
});
