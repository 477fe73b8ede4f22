import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { createObjectStore } from './create-object-store.js';
import { FsObjectStore } from './fs/fs-object-store.js';
import { S3ObjectStore } from './s3/s3-object-store.js';

it('keeps objects in the data directory unless an S3 endpoint is configured', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'salvia-create-store-'));
  try {
    const fs = await createObjectStore({ dataDir, s3ForcePathStyle: true });
    assert.ok(fs instanceof FsObjectStore);
    await fs.createBucket('made-here');
    assert.deepEqual(await readdir(path.join(dataDir, 'objects', 'buckets')), ['made-here']);

    const s3 = await createObjectStore({ dataDir, s3Endpoint: 'http://127.0.0.1:9', s3AccessKeyId: 'a', s3SecretAccessKey: 'b', s3ForcePathStyle: true });
    assert.ok(s3 instanceof S3ObjectStore);
    await assert.rejects(s3.listBuckets(), { code: 'ServiceUnavailable', status: 503 });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
