// A scikit-learn model trained by a real script-mode training job (the platform builds the
// framework's venv), repacked as the SageMaker Python SDK does (code/inference.py in
// model.tar.gz), served by the framework inference toolkit through launchFor(<sklearn image>, 'serve')
// under the same venv the job trained with.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ImageCatalog, RuntimeEnvironments, launchFor } from '../../src/images/index.js';
import { openDatabase, type Database } from '../../src/store/index.js';
import { KyselyImageRepository } from '../../src/store/repositories/images.js';
import { algorithmPython, serveModel, type AlgorithmServer } from '../helpers/algorithm-server.js';
import { clientConfig, repoRoot } from '../helpers/server-process.js';
import { createEndpoint, deleteEndpoint, deploy, descendants, waitInService } from './endpoints-harness.js';
import { createJob, getBytes, logLines, put, role, sandboxSkipReason, trainingEnv, waitForEnd, type TrainingEnv } from './training-harness.js';

const fixtures = path.join(repoRoot, 'test/fixtures/framework-serving');
const sklearnImage = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/** Rows `label,x0,x1` with label = x0 + x1 > 0, away from the boundary. */
function trainingCsv(): string {
  const rows: string[] = [];
  for (let i = -5; i <= 5; i++) for (let j = -5; j <= 5; j++) if (Math.abs(i + j) >= 2) rows.push(`${i + j > 0 ? 1 : 0},${i},${j}`);
  return `${rows.join('\n')}\n`;
}

/** model.tar.gz + code/inference.py (+ `extra` appended to the script), as the SDK repacks a model with an entry_point. */
function repack(modelTarGz: Buffer, work: string, name = 'repacked', extra = ''): Buffer {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'code'), { recursive: true });
  execFileSync('tar', ['-xzf', '-', '-C', dir], { input: modelTarGz });
  copyFileSync(path.join(fixtures, 'inference.py'), path.join(dir, 'code', 'inference.py'));
  if (extra) appendFileSync(path.join(dir, 'code', 'inference.py'), extra);
  return execFileSync('tar', ['-czf', '-', '-C', dir, '.']);
}

describe('framework serving: scikit-learn with a custom inference.py', () => {
  let env: TrainingEnv;
  let dataDir: string;
  let work: string;
  let database: Database;
  let server: AlgorithmServer | undefined;
  let modelTarGz: Buffer | undefined;
  let trainedTarGz: Buffer | undefined;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-framework-serving-'));
    work = mkdtempSync(path.join(tmpdir(), 'salvia-framework-serving-work-'));
    // The framework venv is built by the platform from runtime/requirements/sklearn.txt over this
    // interpreter (--system-site-packages: Debian's python3-sklearn satisfies it without downloads).
    env = await trainingEnv('framework-serving', { dataDir, env: { SALVIA_PYTHON: algorithmPython } });
    const sourcedir = execFileSync('tar', ['-czf', '-', '-C', fixtures, 'train.py']);
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-serve/source/sourcedir.tar.gz', Body: sourcedir }));
    await put(env, 'data/train/points.csv', trainingCsv());
    database = await openDatabase({ database: 'sqlite', dataDir: work });
  });
  after(async () => {
    await server?.close();
    await database?.close();
    await env?.close();
    await env?.server.dispose();
    for (const dir of [dataDir, work]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains with a script-mode job and serves model.tar.gz through the inference toolkit', { skip: sandboxSkipReason(), timeout: 300_000 }, async () => {
    await createJob(env, {
      TrainingJobName: 'sk-serve',
      AlgorithmSpecification: { TrainingImage: sklearnImage, TrainingInputMode: 'File' },
      HyperParameters: {
        'inverse-regularization': '10',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://${env.bucket}/sk-serve/source/sourcedir.tar.gz"`,
      },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/data/train/` } } }],
      RoleArn: role,
      OutputDataConfig: { S3OutputPath: `s3://${env.bucket}` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 300 },
    });
    const job = await waitForEnd(env, 'sk-serve', 240_000);
    assert.equal(job.TrainingJobStatus, 'Completed', `${job.FailureReason}\n${(await logLines(env, 'sk-serve')).join('\n')}`);
    trainedTarGz = await getBytes(env, 'sk-serve/output/model.tar.gz');
    modelTarGz = repack(trainedTarGz, work);

    // What hosting does: resolve the image for serving, ensure the framework's environment (the
    // venv the job built), launch the toolkit.
    const environment = { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' };
    const catalog = new ImageCatalog({ dataDir, python: algorithmPython }, { repository: new KyselyImageRepository(database) });
    const image = await catalog.resolve(sklearnImage, { purpose: 'serve', environment });
    assert.equal(image.kind, 'script-mode');
    const notes: string[] = [];
    const python = await new RuntimeEnvironments({ dataDir, python: algorithmPython }).ensure(
      image.kind === 'script-mode' ? image.requirements : undefined,
      (l) => notes.push(l),
    );
    assert.deepEqual(notes, [], 'the environment built for training is reused, not rebuilt');
    server = await serveModel({ launch: (optMl) => launchFor(image, 'serve', { python, optMl }), modelTarGz, env: environment, readyTimeoutMs: 60_000 });

    const json = await server.invoke(
      JSON.stringify({
        instances: [
          [3, 3],
          [-3, -2],
          [2, 0.5],
          [-1, -2],
        ],
      }),
      'application/json',
    );
    assert.equal(json.status, 200, json.body);
    assert.equal(json.contentType, 'application/json');
    const answer = JSON.parse(json.body) as { labels: number[]; probabilities: number[] };
    assert.deepEqual(answer.labels, [1, 0, 1, 0]);
    answer.probabilities.forEach((p, i) => assert.equal(p > 0.5, answer.labels[i] === 1, `probability ${p} of row ${i}`));

    const csv = await server.invoke('4,1\n-4,-1\n', 'text/csv', 'text/csv');
    assert.equal(csv.status, 200, csv.body);
    assert.equal(csv.contentType, 'text/csv');
    assert.deepEqual(
      csv.body
        .trim()
        .split('\n')
        .map((line) => line.split(',')[0]),
      ['1', '0'],
    );

    const bad = await server.invoke('<x/>', 'application/xml');
    assert.equal(bad.status, 500);
    assert.match(bad.body, /inference\.py cannot read content type application\/xml/);
  });

  it(
    'serves the same model on an endpoint: CreateModel, CreateEndpointConfig, CreateEndpoint, InvokeEndpoint',
    { skip: sandboxSkipReason(), timeout: 180_000 },
    async (t) => {
      if (!modelTarGz) return t.skip('the training case did not produce a model');
      await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-serve/repacked/model.tar.gz', Body: modelTarGz }));
      await deploy(env, 'sk-endpoint', [
        {
          variantName: 'AllTraffic',
          container: {
            Image: sklearnImage,
            ModelDataUrl: `s3://${env.bucket}/sk-serve/repacked/model.tar.gz`,
            // two pre-forked worker processes, as the SDK's model_server_workers=2 asks
            Environment: {
              SAGEMAKER_PROGRAM: 'inference.py',
              SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
              SAGEMAKER_REGION: 'us-east-1',
              SAGEMAKER_MODEL_SERVER_WORKERS: '2',
            },
          },
        },
      ]);
      const runtime = new SageMakerRuntimeClient({ ...clientConfig(env.server), maxAttempts: 1 });
      try {
        const json = await runtime.send(
          new InvokeEndpointCommand({
            EndpointName: 'sk-endpoint',
            ContentType: 'application/json',
            Body: JSON.stringify({
              instances: [
                [2, 2],
                [-2, -3],
              ],
            }),
          }),
        );
        assert.equal(json.ContentType, 'application/json');
        assert.equal(json.InvokedProductionVariant, 'AllTraffic');
        assert.deepEqual((JSON.parse(Buffer.from(json.Body ?? []).toString('utf8')) as { labels: number[] }).labels, [1, 0]);

        const csv = await runtime.send(
          new InvokeEndpointCommand({ EndpointName: 'sk-endpoint', ContentType: 'text/csv', Accept: 'text/csv', Body: '-3,1\n5,0\n' }),
        );
        assert.equal(csv.ContentType, 'text/csv');
        assert.deepEqual(
          Buffer.from(csv.Body ?? [])
            .toString('utf8')
            .trim()
            .split('\n')
            .map((line) => line.split(',')[0]),
          ['0', '1'],
        );

        // The script's error reaches the client as SageMaker reports a container's 500: ModelError 424.
        await assert.rejects(
          runtime.send(new InvokeEndpointCommand({ EndpointName: 'sk-endpoint', ContentType: 'application/xml', Body: '<x/>' })),
          (error: { name?: string; OriginalStatusCode?: number; OriginalMessage?: string }) =>
            error.name === 'ModelError' && error.OriginalStatusCode === 500 && /cannot read content type application\/xml/.test(error.OriginalMessage ?? ''),
        );
      } finally {
        runtime.destroy();
        await deleteEndpoint(env, 'sk-endpoint');
      }
      // DeleteEndpoint stopped the toolkit and both its workers.
      const toolkits = [...descendants(env.server.child.pid ?? 0)].filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('salvia_algorithms.inference_toolkit');
        } catch {
          return false;
        }
      });
      assert.deepEqual(toolkits, []);
    },
  );

  it('serves framework models on a multi-model endpoint, each with its own inference.py', { skip: sandboxSkipReason(), timeout: 180_000 }, async (t) => {
    if (!trainedTarGz) return t.skip('the training case did not produce a model');
    // Model b's script tags its JSON answers, so each answer shows which model's code ran.
    const tagged = "\n_plain_output_fn = output_fn\n\ndef output_fn(prediction, accept):\n    return _plain_output_fn(dict(prediction, model='b'), accept)\n";
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-serve/mme/a.tar.gz', Body: repack(trainedTarGz, work, 'mme-a') }));
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-serve/mme/b.tar.gz', Body: repack(trainedTarGz, work, 'mme-b', tagged) }));
    await deploy(env, 'sk-mme', [
      { variantName: 'AllTraffic', container: { Image: sklearnImage, Mode: 'MultiModel', ModelDataUrl: `s3://${env.bucket}/sk-serve/mme/` } },
    ]);
    const runtime = new SageMakerRuntimeClient({ ...clientConfig(env.server), maxAttempts: 1 });
    try {
      const ask = async (target: string): Promise<unknown> => {
        const out = await runtime.send(
          new InvokeEndpointCommand({
            EndpointName: 'sk-mme',
            TargetModel: target,
            ContentType: 'application/json',
            Body: JSON.stringify({ instances: [[1, 2]] }),
          }),
        );
        return JSON.parse(Buffer.from(out.Body ?? []).toString('utf8')) as unknown;
      };
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(Object.keys((await ask('a.tar.gz')) as object).sort(), ['labels', 'probabilities']);
        const b = (await ask('b.tar.gz')) as { labels: number[]; model: string };
        assert.deepEqual([b.labels, b.model], [[1], 'b']);
      }
    } finally {
      runtime.destroy();
      await deleteEndpoint(env, 'sk-mme');
    }
  });

  it('fails CreateEndpoint with a reason naming what a scikit-learn model archive lacks', { skip: sandboxSkipReason(), timeout: 120_000 }, async () => {
    const dir = path.join(work, 'no-model');
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, 'notes.txt'), 'no model here\n');
    await env.s3.send(
      new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-serve/empty/model.tar.gz', Body: execFileSync('tar', ['-czf', '-', '-C', dir, '.']) }),
    );
    await createEndpoint(env, 'sk-empty', [
      { variantName: 'AllTraffic', container: { Image: sklearnImage, ModelDataUrl: `s3://${env.bucket}/sk-serve/empty/model.tar.gz` } },
    ]);
    const described = await waitInService(env, 'sk-empty');
    assert.equal(described.EndpointStatus, 'Failed');
    assert.match(described.FailureReason ?? '', /model\.joblib or model\.pkl/);
    await deleteEndpoint(env, 'sk-empty');
  });
});
