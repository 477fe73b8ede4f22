import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ChannelError } from './channel-error.js';
import { DirectorySync } from './directory-sync.js';
import { listAllObjects } from './list-prefix.js';
import { putMany, withStore } from './test-store.js';

describe('DirectorySync', () => {
  it('restore() copies everything under the URI (and nothing beside it) into LocalPath', () =>
    withStore(async (fixture) => {
      await putMany(fixture, 'data', ['ckpt/job/epoch-1.pt', 'ckpt/job/models/m-1/weights.bin', 'ckpt/job-2/other', 'ckpt/job/dir/']);
      const local = path.join(fixture.dir, 'checkpoints');
      const sync = new DirectorySync(fixture.store, 's3://data/ckpt/job', local);
      assert.equal(await sync.restore(), 2);
      assert.deepEqual((await readdir(local, { recursive: true })).sort(), ['epoch-1.pt', 'models', 'models/m-1', 'models/m-1/weights.bin']);
      assert.equal(await readFile(path.join(local, 'models', 'm-1', 'weights.bin'), 'utf8'), 'content of ckpt/job/models/m-1/weights.bin');
      assert.equal(await sync.scanNow(), 0);
      assert.equal(await sync.finish(), 0, 'restored files are not uploaded back');
      const empty = new DirectorySync(fixture.store, 's3://data/nothing/', path.join(fixture.dir, 'empty'));
      assert.equal(await empty.restore(), 0);
      assert.deepEqual(await readdir(path.join(fixture.dir, 'empty')), []);
    }));

  it('restore() refuses keys that would escape LocalPath; a bad URI is a ValidationException', () =>
    withStore(async (fixture) => {
      await fixture.put('data', 'ck/../../escape', 'evil');
      const sync = new DirectorySync(fixture.store, 's3://data/ck/', path.join(fixture.dir, 'c'));
      await assert.rejects(sync.restore(), (error: unknown) => error instanceof ChannelError && error.kind === 'UnsafeKey');
      assert.throws(() => new DirectorySync(fixture.store, 'data/ck', fixture.dir), { code: 'ValidationException' });
    }));

  it('uploads a file once it is unchanged across two scans, and again when it changes', () =>
    withStore(async (fixture) => {
      const local = path.join(fixture.dir, 'c');
      const sync = new DirectorySync(fixture.store, 's3://data/out/ckpt/', local);
      await sync.restore();
      await mkdir(path.join(local, 'sub'));
      await writeFile(path.join(local, 'sub', 'a.txt'), 'one');
      assert.equal(await sync.scanNow(), 0, 'just seen: may still be written');
      await appendFile(path.join(local, 'sub', 'a.txt'), ' two');
      assert.equal(await sync.scanNow(), 0, 'changed since the last scan');
      assert.equal(await sync.scanNow(), 1);
      assert.equal((await fixture.read('data', 'out/ckpt/sub/a.txt')).toString(), 'one two');
      assert.equal(await sync.scanNow(), 0, 'not uploaded twice');
      await writeFile(path.join(local, 'sub', 'a.txt'), 'three!!!');
      await sync.scanNow();
      assert.equal(await sync.scanNow(), 1);
      assert.equal((await fixture.read('data', 'out/ckpt/sub/a.txt')).toString(), 'three!!!');
    }));

  it('start() uploads in the background as files appear; symbolic links are not followed', () =>
    withStore(async (fixture) => {
      const local = path.join(fixture.dir, 'c');
      await mkdir(local, { recursive: true });
      await writeFile(path.join(fixture.dir, 'secret'), 'host secret');
      await symlink(path.join(fixture.dir, 'secret'), path.join(local, 'link'));
      let resolveUploaded: (relative: string) => void = () => undefined;
      const uploaded = new Promise<string>((resolve) => (resolveUploaded = resolve));
      const sync = new DirectorySync(fixture.store, 's3://data/bg', local, { pollIntervalMs: 10, onUpload: (relative) => resolveUploaded(relative) });
      sync.start();
      sync.start();
      await writeFile(path.join(local, 'model-1.json'), '{}');
      assert.equal(await uploaded, 'model-1.json');
      assert.equal(await sync.finish(), 0);
      assert.deepEqual(
        (await listAllObjects(fixture.store, 'data', 'bg/')).map((o) => o.key),
        ['bg/model-1.json'],
      );
    }));

  it('a file deleted before its upload is skipped (jobs prune old checkpoints); empty files upload', () =>
    withStore(async (fixture) => {
      const local = path.join(fixture.dir, 'c');
      await mkdir(local, { recursive: true });
      await writeFile(path.join(local, 'a'), 'a');
      await writeFile(path.join(local, 'b'), 'b');
      await writeFile(path.join(local, 'empty'), '');
      const sync = new DirectorySync(fixture.store, 's3://data/prune/', local, {
        concurrency: 1,
        onUpload: (relative) => {
          if (relative !== 'empty') for (const other of ['a', 'b']) rmSync(path.join(local, other), { force: true });
        },
      });
      assert.equal(await sync.finish(), 2);
      const objects = await listAllObjects(fixture.store, 'data', 'prune/');
      assert.deepEqual(
        objects.map((o) => [o.key.replace(/prune\/[ab]$/, 'prune/a-or-b'), o.size]),
        [
          ['prune/a-or-b', 1],
          ['prune/empty', 0],
        ],
      );
    }));

  it('finish() uploads everything new or changed: a thousand per-model files', () =>
    withStore(async (fixture) => {
      const local = path.join(fixture.dir, 'c');
      const sync = new DirectorySync(fixture.store, 's3://data/many/', local, { pollIntervalMs: 60_000 });
      await sync.restore();
      sync.start();
      const names = Array.from({ length: 1000 }, (_, i) => `models/group-${i % 10}/model-${i}.bin`);
      await Promise.all([...new Set(names.map((name) => path.dirname(name)))].map((dir) => mkdir(path.join(local, dir), { recursive: true })));
      for (const name of names) await writeFile(path.join(local, name), name);
      assert.equal(await sync.finish(), 1000);
      const keys = (await listAllObjects(fixture.store, 'data', 'many/')).map((o) => o.key);
      assert.deepEqual(keys.sort(), names.map((name) => `many/${name}`).sort());
      assert.equal((await fixture.read('data', 'many/models/group-3/model-13.bin')).toString(), 'models/group-3/model-13.bin');
    }));
});
