import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FsObjectStore } from '../../src/objectstore/index.js';
import { body, readAll } from './object-store-contract.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'write-until-killed.js');

/** Runs the fixture until it has handed `bytes` to the store, then SIGKILLs it. */
async function killMidWrite(args: string[], bytes: number): Promise<void> {
  const child = spawn(process.execPath, [fixture, ...args.slice(0, 3), String(bytes), ...args.slice(3)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (text: string) => {
      output += text;
      if (output.includes('written')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) early: ${output}`)));
  });
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(child.signalCode, 'SIGKILL');
  assert.ok(!output.includes('finished'));
}

/** Files under the store's tmp/. */
async function tempFiles(root: string): Promise<{ name: string; parentPath: string }[]> {
  return (await readdir(path.join(root, 'tmp'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
}

describe('FsObjectStore after kill -9', () => {
  it('a process killed mid-PUT leaves the previous version intact and no garbage', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'salvia-fs-crash-'));
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('bucket');
      const original = randomBytes(1024 * 1024 + 17);
      const put = await store.putObject('bucket', 'model.bin', { body: body(original), metadata: { contentType: 'a/b', userMetadata: {}, headers: {} } });

      await killMidWrite([root, 'bucket', 'model.bin'], 64 * 1024 * 1024);

      // The half-written temp file is there, the object file is not touched.
      const leftovers = await tempFiles(root);
      assert.equal(leftovers.length, 1);
      assert.ok((await stat(path.join(leftovers[0]?.parentPath ?? '', leftovers[0]?.name ?? ''))).size > 0);

      const after = await FsObjectStore.open(root);
      assert.deepEqual(await tempFiles(root), []);
      const got = await after.getObject('bucket', 'model.bin');
      assert.equal(got.info.etag, put.etag);
      assert.equal(got.info.contentType, 'a/b');
      assert.ok(original.equals(await readAll(got.body)));
      const listed = await after.listObjects('bucket', { maxKeys: 10 });
      assert.deepEqual(
        listed.objects.map((o) => [o.key, o.size]),
        [['model.bin', original.length]],
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a process killed mid-UploadPart leaves the upload and its earlier part intact', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'salvia-fs-crash-'));
    try {
      const store = await FsObjectStore.open(root);
      await store.createBucket('bucket');
      const upload = await store.createMultipartUpload('bucket', 'big', { userMetadata: {}, headers: {} });
      const part = await store.uploadPart('bucket', 'big', upload.uploadId, 1, body('first part'));

      await killMidWrite([root, 'bucket', 'big', upload.uploadId, '1'], 16 * 1024 * 1024);

      const after = await FsObjectStore.open(root);
      assert.deepEqual(await tempFiles(root), []);
      assert.deepEqual(
        (await after.listParts('bucket', 'big', upload.uploadId)).map((p) => [p.partNumber, p.etag, p.size]),
        [[1, part.etag, 10]],
      );
      await after.completeMultipartUpload('bucket', 'big', upload.uploadId, [{ partNumber: 1, etag: part.etag }]);
      assert.equal((await readAll((await after.getObject('bucket', 'big')).body)).toString(), 'first part');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
