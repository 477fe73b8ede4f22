import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epochItems, shuffleForEpoch } from './epoch-order.js';

const items = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);

describe('Pipe epoch order', () => {
  it('keeps the base order without a seed, every epoch', () => {
    for (const epoch of [0, 1, 5]) assert.deepEqual(epochItems(items, { sharded: false, instanceCount: 1, instanceIndex: 0 }, epoch), items);
  });
  it('shuffles reproducibly per seed and epoch, differently per epoch and per seed', () => {
    const a = shuffleForEpoch(items, 42, 0);
    assert.deepEqual(shuffleForEpoch(items, 42, 0), a);
    assert.deepEqual([...a].sort(), items);
    assert.notDeepEqual(shuffleForEpoch(items, 42, 1), a);
    assert.notDeepEqual(shuffleForEpoch(items, 43, 0), a);
    assert.deepEqual(shuffleForEpoch(items, '42', 0), a, 'a seed given as a string is the same seed');
  });
  it('deals a sharded epoch round-robin: every item on exactly one instance, the assignment changing per epoch with a seed', () => {
    const shards = (epoch: number, seed?: number): string[][] =>
      [0, 1, 2].map((instanceIndex) => epochItems(items, { ...(seed !== undefined ? { seed } : {}), sharded: true, instanceCount: 3, instanceIndex }, epoch));
    assert.deepEqual(shards(0)[0], ['k00', 'k03', 'k06', 'k09', 'k12', 'k15', 'k18']);
    assert.deepEqual(shards(3), shards(0));
    for (const epoch of [0, 1]) {
      const all = shards(epoch, 9).flat();
      assert.deepEqual([...all].sort(), items);
      assert.deepEqual(
        shards(epoch, 9).map((s) => s.length),
        [7, 7, 6],
      );
    }
    assert.notDeepEqual(shards(0, 9), shards(1, 9));
  });
});
