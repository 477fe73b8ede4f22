import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { FsObjectStore } from '../../src/objectstore/index.js';
import { body, readAll } from './object-store-contract.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'write-until-killed.js');

it('a process killed (SIGKILL) mid-PUT leaves the previous version intact and no garbage', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'salvia-fs-crash-'));
  try {
    const store = await FsObjectStore.open(root);
    await store.createBucket('bucket');
    const original = randomBytes(1024 * 1024 + 17);
    const put = await store.putObject('bucket', 'model.bin', { body: body(original), metadata: { contentType: 'a/b', userMetadata: {}, headers: {} } });

    const signalAfter = 64 * 1024 * 1024;
    const child = spawn(process.execPath, [fixture, root, 'bucket', 'model.bin', String(signalAfter)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

    // The half-written temp file is there, the object file is not touched.
    const leftovers = (await readdir(path.join(root, 'tmp'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    assert.equal(leftovers.length, 1);
    assert.ok((await stat(path.join(leftovers[0]?.parentPath ?? '', leftovers[0]?.name ?? ''))).size > 0);

    const after = await FsObjectStore.open(root);
    assert.deepEqual((await readdir(path.join(root, 'tmp'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()), []);
    const got = await after.getObject('bucket', 'model.bin');
    assert.equal(got.info.etag, put.etag);
    assert.equal(got.info.contentType, 'a/b');
    assert.ok(original.equals(await readAll(got.body)));
    const listed = await after.listObjects('bucket', { maxKeys: 10 });
    assert.deepEqual(listed.objects.map((o) => [o.key, o.size]), [['model.bin', original.length]]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
