import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECORDIO_MAX_PART, recordIOFrame, recordIOHeader, recordIOPadding, recordIOParts } from './record-io.js';

describe('MXNet RecordIO framing', () => {
  it('writes the magic and the length little-endian, pads payloads to 4 bytes', () => {
    assert.equal(recordIOHeader(5).toString('hex'), '0a23d7ce' + '05000000');
    assert.deepEqual(
      recordIOFrame(Buffer.from('hello')).map((b) => b.toString('hex')),
      ['0a23d7ce05000000', Buffer.from('hello').toString('hex'), '000000'],
    );
    assert.equal(recordIOPadding(8).length, 0);
    assert.equal(recordIOPadding(0).length, 0);
    assert.equal(recordIOHeader(0).readUInt32LE(4), 0);
  });
  it('puts the continuation flag in the top 3 bits and splits records longer than 2^29-1 bytes', () => {
    assert.equal(recordIOHeader(7, 3).readUInt32LE(4), (3 << 29) + 7);
    assert.deepEqual(recordIOParts(10), [{ length: 10, flag: 0 }]);
    assert.deepEqual(recordIOParts(2 * RECORDIO_MAX_PART + 1), [
      { length: RECORDIO_MAX_PART, flag: 1 },
      { length: RECORDIO_MAX_PART, flag: 2 },
      { length: 1, flag: 3 },
    ]);
    assert.throws(() => recordIOHeader(RECORDIO_MAX_PART + 1), RangeError);
  });
});
