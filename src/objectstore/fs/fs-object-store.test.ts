import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { body, failingBody, objectStoreContract, readAll } from '../../../test/objectstore/object-store-contract.js';
import { FsObjectStore } from './fs-object-store.js';

async function freshRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'salvia-fs-store-'));
}

objectStoreContract('FsObjectStore', async () => {
  const root = await freshRoot();
  return {
    store: await FsObjectStore.open(root),
    reopen: () => FsObjectStore.open(root),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

const noMetadata = { userMetadata: {}, headers: {} };

/** Files (not directories) under the store's tmp/. */
async function tempFiles(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, 'tmp'), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('FsObjectStore on disk', () => {
  it('leaves no temp file behind when a body fails, and empties tmp/ at start', async () => {
    const root = await freshRoot();
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('bucket');
      await assert.rejects(store.putObject('bucket', 'k', { body: failingBody(Buffer.alloc(1 << 20)), metadata: noMetadata }));
      assert.deepEqual(await tempFiles(root), []);
      await mkdir(path.join(root, 'tmp', 'dead-instance'));
      await writeFile(path.join(root, 'tmp', 'dead-instance', 'left-by-a-crash'), 'partial');
      await FsObjectStore.open(root);
      assert.deepEqual(await tempFiles(root), []);
      assert.equal((await readdir(path.join(root, 'tmp'))).length, 2, 'one temp dir per open store');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('opening a second store over the same root does not disturb a write in progress', async () => {
    const root = await freshRoot();
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('bucket');
      const source = new PassThrough();
      const put = store.putObject('bucket', 'k', { body: source, metadata: noMetadata });
      source.write(Buffer.alloc(1 << 20, 1));
      const second = await FsObjectStore.open(root);
      source.end(Buffer.alloc(1 << 20, 2));
      assert.equal((await put).size, 2 << 20);
      assert.equal((await second.headObject('bucket', 'k')).size, 2 << 20);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps keys inside the data directory whatever they look like', async () => {
    const root = await freshRoot();
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('bucket');
      for (const key of ['../../outside', '/etc/passwd', '..', 'a/../../b']) {
        await store.putObject('bucket', key, { body: body(key), metadata: noMetadata });
      }
      assert.deepEqual((await readdir(root)).sort(), ['buckets', 'tmp']);
      assert.deepEqual(await readdir(path.join(root, 'buckets')), ['bucket']);
      await assert.rejects(store.getObject('..', 'x'), { code: 'NoSuchBucket' });
      await assert.rejects(store.listObjects('../buckets/bucket', { maxKeys: 1 }), { code: 'NoSuchBucket' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('lists a bucket of many keys quickly, also after a restart', async () => {
    const root = await freshRoot();
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('many');
      const count = 1000;
      for (let i = 0; i < count; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            store.putObject('many', `p${(i + j) % 7}/k${String(i + j).padStart(6, '0')}`, { body: body('x'), metadata: noMetadata }),
          ),
        );
      }
      const reopened = await FsObjectStore.open(root);
      const top = await reopened.listObjects('many', { delimiter: '/', maxKeys: 1000 });
      assert.deepEqual(top.commonPrefixes, ['p0/', 'p1/', 'p2/', 'p3/', 'p4/', 'p5/', 'p6/']);
      let seen = 0;
      let startAfter: string | undefined;
      for (;;) {
        const page = await reopened.listObjects('many', { maxKeys: 1000, ...(startAfter ? { startAfter } : {}) });
        seen += page.objects.length;
        if (!page.isTruncated) break;
        startAfter = page.lastReturned;
      }
      assert.equal(seen, count);
      const got = await reopened.getObject('many', 'p3/k000003');
      assert.equal((await readAll(got.body)).toString(), 'x');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
