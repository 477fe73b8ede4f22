import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { FsObjectStore } from '../../objectstore/index.js';
import { OutputWriter } from './output-writer.js';
import { RequestSlots } from './request-slots.js';

const mib = 1024 * 1024;

async function withStore(test: (store: FsObjectStore) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'salvia-output-writer-'));
  try {
    const store = await FsObjectStore.open(root);
    await store.createBucket('out');
    await test(store);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function read(store: FsObjectStore, key: string): Promise<Buffer> {
  return buffer((await store.getObject('out', key)).body);
}

describe('OutputWriter (real FsObjectStore)', () => {
  it('writes a small output with one PUT and a large one in 5 MiB parts, byte for byte', async () => {
    await withStore(async (store) => {
      const small = new OutputWriter(store, { bucket: 'out', key: 'small.out' }, 5 * mib);
      small.contentType = 'text/csv';
      await small.write(Buffer.from('a\n'));
      await small.complete();
      assert.equal((await read(store, 'small.out')).toString(), 'a\n');
      assert.equal((await store.headObject('out', 'small.out')).contentType, 'text/csv');

      const large = new OutputWriter(store, { bucket: 'out', key: 'large.out' }, 5 * mib);
      const pieces = Array.from({ length: 12 }, (_, i) => Buffer.alloc(mib - 7 * i, i));
      for (const piece of pieces) await large.write(piece);
      assert.equal((await store.listMultipartUploads('out')).length, 1, 'parts are uploaded as they fill');
      await large.complete();
      assert.deepEqual(await read(store, 'large.out'), Buffer.concat(pieces));
      assert.match((await store.headObject('out', 'large.out')).etag, /-3"$/);
    });
  });

  it('abort leaves no object and no upload behind', async () => {
    await withStore(async (store) => {
      const writer = new OutputWriter(store, { bucket: 'out', key: 'partial.out' }, 5 * mib);
      await writer.write(Buffer.alloc(6 * mib));
      await writer.abort();
      await assert.rejects(store.headObject('out', 'partial.out'), { name: 'NoSuchKey' });
      assert.deepEqual(await store.listMultipartUploads('out'), []);
    });
  });
});

describe('RequestSlots', () => {
  it('lets `size` holders in, queues the rest in order, and rejects a waiter whose signal aborts', async () => {
    const slots = new RequestSlots(2);
    await slots.acquire();
    await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then(() => order.push('third'));
    const controller = new AbortController();
    const aborted = slots.acquire(controller.signal);
    const fourth = slots.acquire().then(() => order.push('fourth'));
    controller.abort(new Error('stopped'));
    await assert.rejects(aborted, /stopped/);
    slots.release();
    slots.release();
    await Promise.all([third, fourth]);
    assert.deepEqual(order, ['third', 'fourth']);
  });
});
