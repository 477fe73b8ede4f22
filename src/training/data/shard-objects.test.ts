import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelObject } from './channel-object.js';
import { shardItems, shardObjects } from './shard-objects.js';

const object = (key: string): ChannelObject => ({ bucket: 'b', key, size: 1, relativePath: key });

describe('shardObjects', () => {
  it('FullyReplicated gives every instance every object', () => {
    const objects = ['a', 'b', 'c'].map(object);
    const shards = shardObjects(objects, 3, 'FullyReplicated');
    assert.equal(shards.length, 3);
    for (const shard of shards) assert.deepEqual(shard, objects);
  });

  it('ShardedByS3Key: every key exactly once, balanced, round-robin over the sorted keys', () => {
    for (const [count, instances] of [
      [10, 3],
      [7, 7],
      [2, 5],
      [1000, 4],
      [0, 2],
      [13, 1],
    ] as const) {
      const keys = Array.from({ length: count }, (_, i) => `part-${String((i * 7919) % 10007).padStart(5, '0')}`);
      const shards = shardObjects(keys.map(object), instances, 'ShardedByS3Key');
      assert.equal(shards.length, instances);
      const all = shards
        .flat()
        .map((o) => o.key)
        .sort();
      assert.deepEqual(all, [...keys].sort(), 'every key exactly once');
      const sizes = shards.map((shard) => shard.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes.join(',')}`);
    }
    const shards = shardObjects(['d', 'a', 'c', 'b', 'e'].map(object), 2, 'ShardedByS3Key');
    assert.deepEqual(
      shards.map((shard) => shard.map((o) => o.key)),
      [
        ['a', 'c', 'e'],
        ['b', 'd'],
      ],
    );
  });

  it('is deterministic whatever the input order, and sorts in S3 (UTF-8) order', () => {
    const keys = ['z', 'a', '\u{1F600}', '\uFF01', 'm'];
    const one = shardObjects(keys.map(object), 2, 'ShardedByS3Key');
    const two = shardObjects([...keys].reverse().map(object), 2, 'ShardedByS3Key');
    assert.deepEqual(one, two);
    assert.deepEqual(
      one[0]?.map((o) => o.key),
      ['a', 'z', '\u{1F600}'],
    );
  });

  it('shardItems keeps the given order and rejects a bad instance count', () => {
    assert.deepEqual(shardItems([3, 1, 2], 2, 'ShardedByS3Key'), [[3, 2], [1]]);
    assert.throws(() => shardItems([1], 0, 'ShardedByS3Key'), RangeError);
  });
});
