import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directorySegments, isFileSystemId } from './directory-path.js';

describe('isFileSystemId', () => {
  it('accepts fs- and 8 to 18 lower-case hex digits only', () => {
    for (const id of ['fs-0123abcd', 'fs-0123456789abcdef01']) assert.equal(isFileSystemId(id), true, id);
    for (const id of ['fs-0123abc', 'fs-0123ABCD', 'fs-0123abcg', 'fsx-0123abcd', 'fs-0123456789abcdef012', ' fs-0123abcd'])
      assert.equal(isFileSystemId(id), false, id);
  });
});

describe('directorySegments', () => {
  it('normalises an EFS path and keeps every segment', () => {
    assert.deepEqual(directorySegments('EFS', '/'), []);
    assert.deepEqual(directorySegments('EFS', '/data//train/./'), ['data', 'train']);
    assert.deepEqual(directorySegments('EFS', '/data/x/../train'), ['data', 'train']);
  });

  it('drops the mount name of an FSx for Lustre path', () => {
    assert.deepEqual(directorySegments('FSxLustre', '/fsx/train'), ['train']);
    assert.deepEqual(directorySegments('FSxLustre', '/fsx'), []);
    assert.equal(directorySegments('FSxLustre', '/'), 'no-mount-name');
  });

  it('reports paths that leave the root or are relative', () => {
    assert.equal(directorySegments('EFS', '/../etc'), 'escapes');
    assert.equal(directorySegments('EFS', '/data/../../etc'), 'escapes');
    assert.equal(directorySegments('FSxLustre', '/fsx/../../x'), 'escapes');
    assert.equal(directorySegments('EFS', 'data/train'), 'not-absolute');
    assert.equal(directorySegments('EFS', ''), 'not-absolute');
  });
});
