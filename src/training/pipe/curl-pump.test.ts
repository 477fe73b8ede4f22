import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { curlSafeKey, objectUrl } from './curl-pump.js';

describe('curl pump URLs', () => {
  const access = { endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true };
  it('addresses objects path style or virtual-hosted', () => {
    assert.equal(objectUrl(access, 'bkt', 'a/b.rec'), 'http://127.0.0.1:9000/bkt/a/b.rec');
    assert.equal(objectUrl({ ...access, endpoint: 'https://s3.example.com/', forcePathStyle: false }, 'bkt', 'k'), 'https://bkt.s3.example.com/k');
  });
  it('leaves keys that need percent-encoding (or have empty segments) to the node path', () => {
    assert.equal(curlSafeKey('data/train/part-00001.tfrecord'), true);
    for (const key of ['a b', 'a+b', 'ü', 'a//b', 'x?y', 'p%20']) assert.equal(curlSafeKey(key), false, key);
  });
});
