import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar';
import { FsObjectStore } from '../objectstore/index.js';
import { stageServingCode, STAGED_SERVING_CODE } from './serving-code.js';
import { SubmitDirectoryError } from './submit-directory.js';

describe('stageServingCode', () => {
  let dir: string;
  let store: FsObjectStore;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-serving-code-'));
    store = await FsObjectStore.open(path.join(dir, 'objects'));
    await store.createBucket('models');
    const source = path.join(dir, 'source');
    mkdirSync(source);
    writeFileSync(path.join(source, 'inference.py'), 'def model_fn(d):\n    return 1\n');
    const archive = path.join(dir, 'sourcedir.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: source }, ['inference.py']);
    await store.putObject('models', 'm/sourcedir.tar.gz', { body: Readable.from(readFileSync(archive)), metadata: { userMetadata: {}, headers: {} } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts an s3:// SAGEMAKER_SUBMIT_DIRECTORY into model/code and points the variable there', async () => {
    const modelDir = path.join(dir, 'instance', 'model');
    const env = await stageServingCode(store, { SAGEMAKER_SUBMIT_DIRECTORY: 's3://models/m/sourcedir.tar.gz', SAGEMAKER_PROGRAM: 'inference.py' }, modelDir);
    assert.deepEqual(env, { SAGEMAKER_SUBMIT_DIRECTORY: STAGED_SERVING_CODE, SAGEMAKER_PROGRAM: 'inference.py' });
    assert.match(readFileSync(path.join(modelDir, 'code', 'inference.py'), 'utf8'), /def model_fn/);
  });

  it('leaves local locations and environments without the variable alone', async () => {
    const untouched = { SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code', A: 'b' };
    assert.deepEqual(await stageServingCode(store, untouched, path.join(dir, 'unused')), untouched);
    assert.deepEqual(await stageServingCode(store, {}, path.join(dir, 'unused')), {});
  });

  it('fails with a SubmitDirectoryError naming a missing object', async () => {
    await assert.rejects(
      stageServingCode(store, { SAGEMAKER_SUBMIT_DIRECTORY: 's3://models/nope.tar.gz' }, path.join(dir, 'x')),
      (error: unknown) => error instanceof SubmitDirectoryError && /s3:\/\/models\/nope\.tar\.gz/.test(error.message),
    );
  });
});
