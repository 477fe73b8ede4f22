import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AwsError } from '../errors/index.js';
import { openDatabase, type Database } from '../store/index.js';
import { KyselyImageRepository } from '../store/repositories/images.js';
import { builtinImage } from './builtin-algorithms.js';
import { ImageCatalog } from './image-catalog.js';
import type { BuiltinAlgorithm } from './sagemaker-images.js';
import { parseImageUri } from './image-uri.js';

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AwsError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseImageUri', () => {
  it('splits registry, repository, tag and digest as Docker reads them', () => {
    assert.deepEqual(parseImageUri('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1'), {
      registry: '683313688378.dkr.ecr.us-east-1.amazonaws.com',
      repository: 'sagemaker-xgboost',
      tag: '1.7-1',
    });
    assert.deepEqual(parseImageUri('localhost:5000/Team/Algo@sha256:abc'), { registry: 'localhost:5000', repository: 'team/algo', digest: 'sha256:abc' });
    assert.deepEqual(parseImageUri('kmeans'), { repository: 'kmeans' });
    assert.deepEqual(parseImageUri('team/algo:latest'), { repository: 'team/algo', tag: 'latest' });
    assert.throws(() => parseImageUri(''), /must not be empty/);
    assert.throws(() => parseImageUri('host.example.com/Bad Name:1'), /not a valid image URI/);
  });
});

describe('ImageCatalog.resolve', () => {
  let dir: string;
  let database: Database;
  let catalog: ImageCatalog;
  const runtimeDir = '/srv/salvia/runtime';
  const builtin = (algorithm: string): unknown => builtinImage(algorithm as BuiltinAlgorithm, { python: '/opt/algorithms/bin/python3', runtimeDir });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-images-'));
    database = await openDatabase({ database: 'sqlite', dataDir: dir });
    catalog = new ImageCatalog(
      { dataDir: dir, python: '/usr/bin/python3', algorithmPython: '/opt/algorithms/bin/python3', runtimeDir },
      { repository: new KyselyImageRepository(database) },
    );
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps SageMaker built-in algorithm images of every region and the short names to the algorithm', async () => {
    const cases: [string, string][] = [
      ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', 'xgboost'],
      ['141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.5-1', 'xgboost'],
      ['811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', 'xgboost'],
      ['685385470294.dkr.ecr.eu-west-1.amazonaws.com/xgboost:latest', 'xgboost'],
      ['382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1', 'linear-learner'],
      ['664544806723.dkr.ecr.eu-central-1.amazonaws.com/linear-learner:latest', 'linear-learner'],
      ['174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1', 'kmeans'],
      ['390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/kmeans:1', 'kmeans'],
      ['xgboost', 'xgboost'],
      ['linear-learner', 'linear-learner'],
      ['kmeans', 'kmeans'],
      ['kmeans:1', 'kmeans'],
    ];
    for (const [uri, algorithm] of cases) assert.deepEqual(await catalog.resolve(uri), builtin(algorithm), uri);
  });

  it('rejects a built-in algorithm for a job when the configured algorithm interpreter is not there', async () => {
    // This catalog's algorithmPython (/opt/algorithms/bin/python3) does not exist.
    await rejectsWith(catalog.resolve('kmeans', { purpose: 'train' }), 'ValidationException', /\/opt\/algorithms\/bin\/python3 \(--algorithm-python/);
  });

  it('maps framework images to the script-mode runner with the framework requirements', async () => {
    const cases: [string, string][] = [
      ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', 'sklearn'],
      ['763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-cpu-py310', 'pytorch'],
      ['763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:1.13.1-gpu-py39-cu117-ubuntu20.04-sagemaker', 'pytorch'],
      ['763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:2.13-cpu-py310', 'tensorflow'],
      ['763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04', 'huggingface'],
      ['763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310', 'pytorch'],
      ['520713654638.dkr.ecr.us-east-1.amazonaws.com/sagemaker-pytorch:1.5.0-cpu-py3', 'pytorch'],
    ];
    for (const [uri, framework] of cases) {
      assert.deepEqual(
        await catalog.resolve(uri),
        {
          kind: 'script-mode',
          framework,
          command: ['/usr/bin/python3', path.join(runtimeDir, 'script_mode', 'train.py')],
          runner: path.join(runtimeDir, 'script_mode', 'train.py'),
          requirements: path.join(runtimeDir, 'requirements', `${framework}.txt`),
          toolkitPythonPath: path.join(runtimeDir, 'algorithms'),
        },
        uri,
      );
    }
  });

  it('treats sagemaker-xgboost as framework mode only when sagemaker_program is set, as SageMaker does', async () => {
    const uri = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
    const script = await catalog.resolve(uri, { hyperparameters: { sagemaker_program: '"train.py"', sagemaker_submit_directory: '"s3://b/k.tar.gz"' } });
    assert.equal(script.kind, 'script-mode');
    assert.equal(script.kind === 'script-mode' && script.framework, 'xgboost');
    assert.deepEqual(await catalog.resolve(uri, { hyperparameters: { num_round: '10' } }), builtin('xgboost'));
    // Serving: SAGEMAKER_PROGRAM in the model's Environment selects the framework's inference toolkit.
    const served = await catalog.resolve(uri, { environment: { SAGEMAKER_PROGRAM: 'inference.py' } });
    assert.equal(served.kind === 'script-mode' && served.framework, 'xgboost');
    assert.deepEqual(await catalog.resolve(uri, { environment: { SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv' } }), builtin('xgboost'));
    // The legacy repository has no framework mode.
    assert.deepEqual(
      await catalog.resolve('811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', { hyperparameters: { sagemaker_program: '"t.py"' } }),
      builtin('xgboost'),
    );
  });

  it('resolves registered user images by repository whatever the registry and tag, before SageMaker names', async () => {
    const imageDir = path.join(dir, 'byo');
    mkdirSync(imageDir);
    for (const name of ['train', 'serve']) {
      writeFileSync(path.join(imageDir, name), '#!/bin/sh\n');
      chmodSync(path.join(imageDir, name), 0o755);
    }
    await catalog.add('team/my-algo', imageDir);
    const expected = {
      kind: 'user',
      repository: 'team/my-algo',
      directory: imageDir,
      train: [path.join(imageDir, 'train')],
      serve: [path.join(imageDir, 'serve')],
    };
    for (const uri of [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/my-algo:latest',
      'localhost:5000/team/my-algo:v2',
      'team/my-algo',
      'TEAM/My-Algo@sha256:00',
    ]) {
      assert.deepEqual(await catalog.resolve(uri, { purpose: 'train' }), expected, uri);
    }
    await catalog.add('kmeans', imageDir, 'train');
    assert.deepEqual(await catalog.resolve('kmeans'), {
      kind: 'user',
      repository: 'kmeans',
      directory: imageDir,
      train: [path.join(imageDir, 'train'), 'train'],
      serve: [path.join(imageDir, 'train'), 'serve'],
    });
    await catalog.remove('kmeans');
    assert.deepEqual(await catalog.resolve('kmeans'), builtin('kmeans'));
    assert.deepEqual(
      (await catalog.list()).map((i) => i.repository),
      ['team/my-algo'],
    );
  });

  it('resolves for processing: framework images (sagemaker-xgboost too) and user images with their entrypoint; built-in algorithms refused', async () => {
    const sklearn = await catalog.resolve('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', { purpose: 'process' });
    assert.equal(sklearn.kind === 'script-mode' && sklearn.framework, 'sklearn');
    const xgboost = await catalog.resolve('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', { purpose: 'process' });
    assert.equal(xgboost.kind === 'script-mode' && xgboost.framework, 'xgboost');
    await rejectsWith(
      catalog.resolve('linear-learner', { purpose: 'process' }),
      'ValidationException',
      /built-in algorithm image, which cannot run processing jobs/,
    );
    const imageDir = path.join(dir, 'processor');
    mkdirSync(imageDir);
    writeFileSync(path.join(imageDir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(path.join(imageDir, 'run.sh'), 0o755);
    await catalog.add('processor', imageDir, 'run.sh');
    const user = await catalog.resolve('processor:1', { purpose: 'process' });
    assert.equal(user.kind === 'user' && user.entrypoint, path.join(imageDir, 'run.sh'));
  });

  it('rejects unknown images with what to do, and bad registrations with why', async () => {
    await rejectsWith(
      catalog.resolve('123456789012.dkr.ecr.us-east-1.amazonaws.com/my-private-algo:3'),
      'ValidationException',
      /salvia images add my-private-algo <directory>/,
    );
    await rejectsWith(catalog.resolve('not a uri'), 'ValidationException', /not a valid image URI/);
    await rejectsWith(catalog.add('Bad Name', dir), 'ValidationException', /Repository name/);
    await rejectsWith(catalog.add('x', path.join(dir, 'missing')), 'ValidationException', /does not exist/);
    await rejectsWith(catalog.add('x', 'relative/dir'), 'ValidationException', /absolute/);
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    await rejectsWith(catalog.add('x', empty), 'ValidationException', /neither a "train" nor a "serve"/);
    writeFileSync(path.join(empty, 'train'), 'not executable');
    await rejectsWith(catalog.add('x', empty), 'ValidationException', /not executable/);
    await rejectsWith(catalog.add('x', empty, 'nope.sh'), 'ValidationException', /Entrypoint .* is not an executable file/);
    await rejectsWith(catalog.remove('never-added'), 'ResourceNotFound', /never-added/);
  });

  it('checks at resolve time that a user image can still run what is asked of it', async () => {
    const imageDir = path.join(dir, 'train-only');
    mkdirSync(imageDir);
    writeFileSync(path.join(imageDir, 'train'), '#!/bin/sh\n');
    chmodSync(path.join(imageDir, 'train'), 0o755);
    await catalog.add('train-only', imageDir);
    assert.equal((await catalog.resolve('train-only', { purpose: 'train' })).kind, 'user');
    await rejectsWith(catalog.resolve('train-only', { purpose: 'serve' }), 'ValidationException', /no executable .*serve/);
    rmSync(imageDir, { recursive: true });
    await rejectsWith(catalog.resolve('train-only', { purpose: 'train' }), 'ValidationException', /no executable .*train/);
  });
});
