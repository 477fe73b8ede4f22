import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectInfo } from '../object-store.js';
import { compareUtf8 } from '../utf8-order.js';
import { BucketIndex } from './bucket-index.js';

function info(key: string): ObjectInfo {
  return { bucket: 'b', key, size: 1, etag: '"x"', lastModified: new Date(0), userMetadata: {}, headers: {} };
}

describe('compareUtf8', () => {
  it('orders like the UTF-8 bytes, surrogate pairs included', () => {
    const keys = ['a', 'b', 'é', '\uffff', '\ue000', '😀', '\u{10000}', 'a😀', 'a\uffff', ''];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareUtf8), byBytes);
  });
});

describe('BucketIndex', () => {
  it('keeps keys sorted through inserts and deletes', () => {
    const index = new BucketIndex(['c', 'a'].map(info));
    index.set(info('b'));
    index.set(info('b'));
    index.set(info('😀'));
    index.set(info('\uffff'));
    index.delete('a');
    index.delete('zz');
    assert.equal(index.size, 4);
    assert.deepEqual(
      index.list({ maxKeys: 10 }).objects.map((o) => o.key),
      ['b', 'c', '\uffff', '😀'],
    );
  });

  it('groups by delimiter and resumes after a common prefix', () => {
    const index = new BucketIndex(['a/1', 'a/2', 'a/3/x', 'b', 'c/1'].map(info));
    const first = index.list({ delimiter: '/', maxKeys: 1 });
    assert.deepEqual([first.commonPrefixes, first.isTruncated, first.lastReturned], [['a/'], true, 'a/']);
    const second = index.list({ delimiter: '/', maxKeys: 1, startAfter: 'a/' });
    assert.deepEqual([second.objects.map((o) => o.key), second.lastReturned], [['b'], 'b']);
    const third = index.list({ delimiter: '/', maxKeys: 1, startAfter: 'b' });
    assert.deepEqual([third.commonPrefixes, third.isTruncated], [['c/'], false]);
    const multi = index.list({ delimiter: '/3/', prefix: 'a', maxKeys: 9 });
    assert.deepEqual([multi.objects.map((o) => o.key), multi.commonPrefixes], [['a/1', 'a/2'], ['a/3/']]);
  });
});
