// Test support (not a test): a real FsObjectStore in a fresh temp dir, and small object helpers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FsObjectStore, type ObjectStore } from '../../objectstore/index.js';
import { forEachLimited } from './concurrency.js';

export interface StoreFixture {
  readonly store: ObjectStore;
  /** A fresh scratch directory for local files. */
  readonly dir: string;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  read(bucket: string, key: string): Promise<Buffer>;
}

/** Runs `test` with a real FsObjectStore (bucket `data` created) over a temp dir, removed afterwards. */
export async function withStore(test: (fixture: StoreFixture) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'salvia-training-data-'));
  try {
    const store = await FsObjectStore.open(path.join(root, 'store'));
    await store.createBucket('data');
    const put = async (bucket: string, key: string, body: string | Buffer): Promise<void> => {
      await store.putObject(bucket, key, { body: Readable.from([Buffer.from(body)]), metadata: { userMetadata: {}, headers: {} } });
    };
    const read = async (bucket: string, key: string): Promise<Buffer> => {
      const { body } = await store.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    await test({ store, dir: path.join(root, 'local'), put, read });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Puts many small objects, a few at a time. */
export async function putMany(fixture: StoreFixture, bucket: string, keys: readonly string[]): Promise<void> {
  await forEachLimited(keys, 16, (key) => fixture.put(bucket, key, `content of ${key}`));
}
