import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickLeastOutstanding, pickWeighted } from './traffic.js';

describe('pickWeighted', () => {
  const a = { name: 'a', weight: 1 };
  const b = { name: 'b', weight: 3 };
  const off = { name: 'off', weight: 0 };

  it('splits the unit interval in proportion to the weights', () => {
    assert.equal(pickWeighted([a, b], 0)?.name, 'a');
    assert.equal(pickWeighted([a, b], 0.249)?.name, 'a');
    assert.equal(pickWeighted([a, b], 0.25)?.name, 'b');
    assert.equal(pickWeighted([a, b], 0.999)?.name, 'b');
  });

  it('never picks a variant of weight 0 while another has weight', () => {
    for (const r of [0, 0.3, 0.6, 0.99]) assert.equal(pickWeighted([off, a, off], r)?.name, 'a');
  });

  it('picks uniformly when every weight is 0, and nothing from an empty list', () => {
    const z = { name: 'z', weight: 0 };
    assert.equal(pickWeighted([off, z], 0.1)?.name, 'off');
    assert.equal(pickWeighted([off, z], 0.9)?.name, 'z');
    assert.equal(pickWeighted([], 0.5), undefined);
  });

  it('follows the weights over many draws', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 20_000; i++) counts[(pickWeighted([a, b], random()) as { name: 'a' | 'b' }).name]++;
    assert.ok(Math.abs(counts.b / 20_000 - 0.75) < 0.02, JSON.stringify(counts));
  });
});

describe('pickLeastOutstanding', () => {
  const instance = (name: string, outstanding: number, ready = true): { name: string; outstanding: number; ready: boolean } => ({ name, outstanding, ready });

  it('picks the ready instance with the fewest outstanding requests', () => {
    const items = [instance('a', 3), instance('b', 1), instance('c', 0, false), instance('d', 2)];
    assert.equal(pickLeastOutstanding(items)?.name, 'b');
  });

  it('rotates among equally idle instances by the start index', () => {
    const items = [instance('a', 0), instance('b', 0), instance('c', 0)];
    assert.deepEqual(
      [0, 1, 2, 3].map((start) => pickLeastOutstanding(items, start)?.name),
      ['a', 'b', 'c', 'a'],
    );
  });

  it('skips excluded instances and gives undefined when none is ready', () => {
    const items = [instance('a', 0), instance('b', 5)];
    assert.equal(pickLeastOutstanding(items, 0, new Set([items[0]!]))?.name, 'b');
    assert.equal(pickLeastOutstanding([instance('x', 0, false)]), undefined);
  });
});
