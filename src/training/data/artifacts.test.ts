import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { extractTarGz, uploadDirectoryAsTarGz } from './artifacts.js';
import { ChannelError } from './channel-error.js';
import { withStore } from './test-store.js';

interface RawEntry {
  name: string;
  type: '0' | '1' | '2' | '5';
  body?: string;
  linkname?: string;
}

/** A ustar archive built byte by byte, so tests can make entries node-tar would never write. */
function rawTarGz(entries: readonly RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = Buffer.alloc(512);
    const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'utf8');
    field(0, 100, entry.name);
    field(100, 8, '0000644\0');
    field(108, 8, '0000000\0');
    field(116, 8, '0000000\0');
    field(124, 12, body.length.toString(8).padStart(11, '0') + '\0');
    field(136, 12, '00000000000\0');
    field(148, 8, '        ');
    field(156, 1, entry.type);
    field(157, 100, entry.linkname ?? '');
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    let sum = 0;
    for (const byte of header) sum += byte;
    field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Entry paths of a tar.gz, in order, as node-tar lists them. */
async function tarNames(archive: Buffer): Promise<string[]> {
  const names: string[] = [];
  await pipeline(Readable.from([archive]), tar.t({ onReadEntry: (entry) => names.push(entry.path) }));
  return names;
}

describe('uploadDirectoryAsTarGz / extractTarGz', () => {
  it('round-trips a directory with entries at the archive root (no "./"), as SageMaker model.tar.gz', () =>
    withStore(async (fixture) => {
      const model = path.join(fixture.dir, 'model');
      await mkdir(path.join(model, 'code', 'deep'), { recursive: true });
      await writeFile(path.join(model, 'model.pth'), Buffer.alloc(2 << 20, 7));
      await writeFile(path.join(model, 'code', 'inference.py'), 'print(1)\n');
      await writeFile(path.join(model, 'code', 'deep', 'ü name.txt'), 'x');
      await mkdir(path.join(model, 'empty'));
      await uploadDirectoryAsTarGz(fixture.store, model, { bucket: 'data', key: 'job/output/model.tar.gz' });
      const names = await tarNames(await fixture.read('data', 'job/output/model.tar.gz'));
      assert.deepEqual([...names].sort(), ['code/', 'code/deep/', 'code/deep/ü name.txt', 'code/inference.py', 'empty/', 'model.pth']);
      assert.ok(names.every((name) => !name.startsWith('./') && !name.startsWith('/')));
      const out = path.join(fixture.dir, 'out');
      await extractTarGz(fixture.store, { bucket: 'data', key: 'job/output/model.tar.gz' }, out);
      assert.ok((await readFile(path.join(out, 'model.pth'))).equals(Buffer.alloc(2 << 20, 7)));
      assert.equal(await readFile(path.join(out, 'code', 'deep', 'ü name.txt'), 'utf8'), 'x');
      assert.ok((await lstat(path.join(out, 'empty'))).isDirectory());
    }));

  it('an empty or missing directory gives a valid empty tar.gz', () =>
    withStore(async (fixture) => {
      await mkdir(path.join(fixture.dir, 'empty'), { recursive: true });
      await uploadDirectoryAsTarGz(fixture.store, path.join(fixture.dir, 'empty'), { bucket: 'data', key: 'e.tar.gz' });
      await uploadDirectoryAsTarGz(fixture.store, path.join(fixture.dir, 'missing'), { bucket: 'data', key: 'm.tar.gz' });
      for (const key of ['e.tar.gz', 'm.tar.gz']) {
        assert.deepEqual(gunzipSync(await fixture.read('data', key)), Buffer.alloc(1024));
        assert.deepEqual(await tarNames(await fixture.read('data', key)), []);
        await extractTarGz(fixture.store, { bucket: 'data', key }, path.join(fixture.dir, 'x'));
      }
      assert.deepEqual(await readdir(path.join(fixture.dir, 'x')), []);
    }));

  it('stores a symbolic link as a link, never what it points to', () =>
    withStore(async (fixture) => {
      const model = path.join(fixture.dir, 'model');
      await mkdir(model, { recursive: true });
      await writeFile(path.join(fixture.dir, 'secret'), 'host secret');
      await symlink(path.join(fixture.dir, 'secret'), path.join(model, 'link'));
      await uploadDirectoryAsTarGz(fixture.store, model, { bucket: 'data', key: 'l.tar.gz' });
      const archive = await fixture.read('data', 'l.tar.gz');
      assert.deepEqual(await tarNames(archive), ['link']);
      assert.ok(!gunzipSync(archive).includes('host secret'));
      assert.equal(await readlink(path.join(model, 'link')), path.join(fixture.dir, 'secret'));
    }));

  it('a missing bucket fails the upload and stores nothing', () =>
    withStore(async (fixture) => {
      await mkdir(fixture.dir, { recursive: true });
      await writeFile(path.join(fixture.dir, 'f'), 'x');
      await assert.rejects(uploadDirectoryAsTarGz(fixture.store, fixture.dir, { bucket: 'no-such-bucket', key: 'a.tar.gz' }), { code: 'NoSuchBucket' });
    }));

  it('extracts hostile archives safely: no "..", no absolute paths outside, no links', () =>
    withStore(async (fixture) => {
      await fixture.put(
        'data',
        'evil.tar.gz',
        rawTarGz([
          { name: 'ok.txt', type: '0', body: 'fine' },
          { name: '../escape.txt', type: '0', body: 'evil' },
          { name: 'sub/../../escape2.txt', type: '0', body: 'evil' },
          { name: '/abs.txt', type: '0', body: 'made relative' },
          { name: 'link', type: '2', linkname: '/etc/passwd' },
          { name: 'hard', type: '1', linkname: '../outside' },
        ]),
      );
      const dest = path.join(fixture.dir, 'dest');
      await assert.rejects(
        extractTarGz(fixture.store, { bucket: 'data', key: 'evil.tar.gz' }, dest),
        (error: unknown) => error instanceof ChannelError && error.kind === 'UnsafeKey' && error.message.includes('"../escape.txt"'),
      );
      assert.deepEqual((await readdir(fixture.dir)).sort(), ['dest']);
      assert.deepEqual((await readdir(dest)).sort(), ['abs.txt', 'ok.txt']);
    }));

  it('a missing object or a corrupt archive is a ChannelError', () =>
    withStore(async (fixture) => {
      await assert.rejects(
        extractTarGz(fixture.store, { bucket: 'data', key: 'none.tar.gz' }, fixture.dir),
        (e: unknown) => e instanceof ChannelError && e.kind === 'ObjectUnavailable',
      );
      await fixture.put('data', 'garbage.tar.gz', gzipSync(Buffer.alloc(4096, 'not a tar header ')));
      await assert.rejects(
        extractTarGz(fixture.store, { bucket: 'data', key: 'garbage.tar.gz' }, fixture.dir),
        (e: unknown) => e instanceof ChannelError && e.kind === 'DecompressionFailed',
      );
      await fixture.put('data', 'bad.tar.gz', 'not gzip at all');
      await assert.rejects(
        extractTarGz(fixture.store, { bucket: 'data', key: 'bad.tar.gz' }, fixture.dir),
        (e: unknown) => e instanceof ChannelError && e.kind === 'DecompressionFailed' && e.message.includes('s3://data/bad.tar.gz'),
      );
    }));
});
