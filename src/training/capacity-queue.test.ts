import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapacityQueue } from './capacity-queue.js';
import { instanceResources } from './instance-types.js';

describe('CapacityQueue', () => {
  it('admits first-in first-out while the demand fits, and clamps jobs larger than the machine', () => {
    const queue = new CapacityQueue({ cpus: 4, memoryMiB: 16384, gpus: 0 });
    const started: string[] = [];
    const submit = (name: string, cpus: number) => queue.submit(name, { cpus, memoryMiB: 1024, gpus: 0 }, () => started.push(name));
    submit('a', 2);
    submit('b', 2);
    submit('c', 64); // larger than the machine: runs alone
    submit('d', 1); // behind c: FIFO, does not overtake
    assert.deepEqual(started, ['a', 'b']);
    assert.deepEqual(queue.waiting, ['c', 'd']);
    queue.release('a');
    assert.deepEqual(started, ['a', 'b']);
    queue.release('b');
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.equal(queue.cancel('d'), true);
    assert.equal(queue.cancel('d'), false);
    queue.release('c');
    assert.deepEqual(queue.waiting, []);
  });

  it('counts re-attached jobs', () => {
    const queue = new CapacityQueue({ cpus: 2, memoryMiB: 8192, gpus: 0 });
    queue.occupy('old', { cpus: 2, memoryMiB: 1, gpus: 0 });
    let started = false;
    queue.submit('new', { cpus: 1, memoryMiB: 1, gpus: 0 }, () => (started = true));
    assert.equal(started, false);
    queue.release('old');
    assert.equal(started, true);
  });
});

describe('instanceResources', () => {
  it('knows common types and derives others from the size', () => {
    assert.deepEqual(instanceResources('ml.m5.xlarge'), { vcpus: 4, memoryMiB: 16384, gpus: 0 });
    assert.deepEqual(instanceResources('ml.p3.2xlarge'), { vcpus: 8, memoryMiB: 62464, gpus: 1 });
    assert.equal(instanceResources('ml.c6i.8xlarge')?.vcpus, 32);
    assert.equal(instanceResources('ml.g6.12xlarge')?.gpus, 3);
    assert.equal(instanceResources('m5.large'), undefined);
    assert.equal(instanceResources('ml.m5.huge'), undefined);
  });
});
