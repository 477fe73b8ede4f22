import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ChannelObject } from './channel-object.js';
import { ChannelError } from './channel-error.js';
import { downloadChannel, listChannelObjects } from './channel-objects.js';
import { putMany, withStore } from './test-store.js';

const isChannelError =
  (kind: string, ...fragments: string[]) =>
  (error: unknown) =>
    error instanceof ChannelError && error.kind === kind && fragments.every((fragment) => error.message.includes(fragment));

/** Every file under dir, relative, `/`-separated, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path
        .relative(dir, path.join(entry.parentPath ?? entry.path, entry.name))
        .split(path.sep)
        .join('/'),
    )
    .sort();
}

describe('downloadChannel', () => {
  it('writes each object at destDir/relativePath, thousands of small files included', () =>
    withStore(async (fixture) => {
      const keys = Array.from({ length: 1000 }, (_, i) => `train/shard-${i % 7}/part-${String(i).padStart(4, '0')}.csv`);
      await putMany(fixture, 'data', keys);
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/' });
      const dest = path.join(fixture.dir, 'input', 'data', 'train');
      const started = performance.now();
      await downloadChannel(fixture.store, objects, dest, { compression: 'None' });
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 5000, `1000 small objects took ${Math.round(elapsed)} ms`);
      const files = await filesUnder(dest);
      assert.deepEqual(files, keys.map((key) => key.slice('train/'.length)).sort());
      assert.equal(await readFile(path.join(dest, 'shard-3', 'part-0010.csv'), 'utf8'), 'content of train/shard-3/part-0010.csv');
    }));

  it('keeps odd but safe keys inside destDir (spaces, unicode, empty and "." segments)', () =>
    withStore(async (fixture) => {
      const keys = ['p/a b.csv', 'p/ü/ñ.txt', 'p//double', 'p/./dot', 'p/x/.hidden'];
      await putMany(fixture, 'data', keys);
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/p/' });
      await downloadChannel(fixture.store, objects, fixture.dir, {});
      assert.deepEqual(await filesUnder(fixture.dir), ['a b.csv', 'dot', 'double', 'x/.hidden', 'ü/ñ.txt']);
    }));

  it('refuses keys that would escape destDir, before writing anything', () =>
    withStore(async (fixture) => {
      for (const key of ['p/../../etc/passwd', 'p/a/../../../x', 'p/..']) {
        await fixture.put('data', key, 'evil');
        const objects: ChannelObject[] = [
          { bucket: 'data', key: 'p/ok', size: 1, relativePath: 'ok' },
          { bucket: 'data', key, size: 4, relativePath: key.slice(2) },
        ];
        await assert.rejects(downloadChannel(fixture.store, objects, path.join(fixture.dir, 'dest'), {}), isChannelError('UnsafeKey', `s3://data/${key}`), key);
      }
      await assert.rejects(readdir(fixture.dir), { code: 'ENOENT' });
    }));

  it('refuses two objects on one path, and a file where a directory must be', () =>
    withStore(async (fixture) => {
      await putMany(fixture, 'data', ['c/a', 'c/a/b']);
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/c/' });
      await assert.rejects(downloadChannel(fixture.store, objects, fixture.dir, {}), isChannelError('PathConflict', 's3://data/c/a', 's3://data/c/a/b'));
      await putMany(fixture, 'data', ['g/x.csv', 'g/x.csv.gz']);
      const gz = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/g/' });
      await assert.rejects(downloadChannel(fixture.store, gz.objects, fixture.dir, { compression: 'Gzip' }), isChannelError('PathConflict', '"x.csv"'));
    }));

  it('Gzip: decompresses while streaming and drops a trailing .gz', () =>
    withStore(async (fixture) => {
      const big = Buffer.alloc(3 << 20, 'label,feature\n');
      await fixture.put('data', 'z/train.csv.gz', gzipSync(big));
      await fixture.put('data', 'z/multi', Buffer.concat([gzipSync('one\n'), gzipSync('two\n')]));
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/z/' });
      await downloadChannel(fixture.store, objects, fixture.dir, { compression: 'Gzip' });
      assert.deepEqual(await filesUnder(fixture.dir), ['multi', 'train.csv']);
      assert.ok((await readFile(path.join(fixture.dir, 'train.csv'))).equals(big));
      assert.equal(await readFile(path.join(fixture.dir, 'multi'), 'utf8'), 'one\ntwo\n');
    }));

  it('Gzip over data that is not gzip, or an object deleted since listing, is a ChannelError', () =>
    withStore(async (fixture) => {
      await fixture.put('data', 'n/plain.csv', 'a,b\n');
      const { objects } = await listChannelObjects(fixture.store, { S3DataType: 'S3Prefix', S3Uri: 's3://data/n/' });
      await assert.rejects(
        downloadChannel(fixture.store, objects, fixture.dir, { compression: 'Gzip' }),
        isChannelError('DecompressionFailed', 's3://data/n/plain.csv', 'Gzip'),
      );
      await fixture.store.deleteObject('data', 'n/plain.csv');
      await assert.rejects(downloadChannel(fixture.store, objects, fixture.dir, {}), isChannelError('ObjectUnavailable', 's3://data/n/plain.csv'));
    }));
});
