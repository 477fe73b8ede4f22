// XGBoost through the platform: a real training job (SageMaker's sagemaker-xgboost:1.7-1 image URI)
// on sklearn's digits reaches exactly what xgboost itself reaches with the same params and data; the
// job's model.tar.gz is served with the command the platform runs and checked over CSV and JSON;
// bad input fails the job with a ClientError, or the invocation with a 4xx.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { repoRoot } from '../helpers/server-process.js';
import { untarGzBytes } from './training-harness.js';
import {
  algorithmPython,
  builtinEnv,
  images,
  runBuiltinJob,
  runFailingJob,
  serveModel,
  uploadDataset,
  type BuiltinEnv,
  type ChannelInput,
} from './builtin-harness.js';

const execFileAsync = promisify(execFile);
const script = path.join(repoRoot, 'test/fixtures/algorithms/xgboost_digits.py');
const params = { num_round: '25', objective: 'multi:softmax', num_class: '10', max_depth: '4', eta: '0.3', eval_metric: 'merror,mlogloss' };

interface Direct {
  accuracy: number;
  predictions: number[];
}

let env: BuiltinEnv;
let dir: string;
let trainUri: string;
let validationUri: string;
const text = (name: string): string => readFileSync(path.join(dir, name), 'utf8');

function finalMetric(description: DescribeTrainingJobCommandOutput, name: string): number {
  const metric = description.FinalMetricDataList?.find((m) => m.MetricName === name);
  assert.ok(metric?.Value !== undefined, `no final metric ${name} in ${JSON.stringify(description.FinalMetricDataList)}`);
  return metric.Value;
}

describe('built-in XGBoost', () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-xgb-'));
    await execFileAsync(algorithmPython, [script, 'data', dir]);
    env = await builtinEnv('xgboost-e2e');
    trainUri = await uploadDataset(env, 'digits/train', { 'train.csv': text('train.csv') });
    validationUri = await uploadDataset(env, 'digits/validation', { 'validation.csv': text('validation.csv') });
  });
  after(async () => {
    await env?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('multi:softmax on digits: the accuracy xgboost reaches directly, predefined metrics, and the same predictions when served', async () => {
    const [job, direct] = await Promise.all([
      runBuiltinJob(env, {
        name: 'xgb-digits',
        image: images.xgboost,
        hyperparameters: params,
        channels: { train: { s3Uri: trainUri, contentType: 'text/csv' }, validation: { s3Uri: validationUri, contentType: 'text/csv' } },
      }),
      execFileAsync(algorithmPython, [script, 'direct', dir, JSON.stringify(params)]).then(({ stdout }) => JSON.parse(stdout) as Direct),
    ]);
    assert.ok(direct.accuracy > 0.9, `xgboost itself reaches ${direct.accuracy}`);

    const names = job.description.AlgorithmSpecification?.MetricDefinitions?.map((d) => d.Name) ?? [];
    for (const name of ['validation:merror', 'validation:mlogloss', 'train:merror', 'validation:accuracy', 'validation:rmse'])
      assert.ok(names.includes(name), `${name} not among the predefined metrics: ${names.join(',')}`);
    const platformAccuracy = 1 - finalMetric(job.description, 'validation:merror');
    assert.ok(Math.abs(platformAccuracy - direct.accuracy) < 1e-4, `platform ${platformAccuracy} vs xgboost ${direct.accuracy}`);
    assert.ok(finalMetric(job.description, 'validation:mlogloss') > 0);
    assert.ok(finalMetric(job.description, 'train:merror') <= finalMetric(job.description, 'validation:merror'));
    assert.ok(
      job.logs.some((l) => /^\[24\]#011train-merror:[0-9.]+#011train-mlogloss:[0-9.]+#011validation-merror:/.test(l)),
      job.logs.join('\n'),
    );
    const files = untarGzBytes(job.modelTarGz);
    assert.deepEqual([...files.keys()], ['xgboost-model']);
    assert.equal(files.get('xgboost-model')?.subarray(0, 4).toString('latin1'), 'binf', 'xgboost binary model format');

    const server = await serveModel({ algorithm: 'xgboost', modelTarGz: job.modelTarGz });
    try {
      const labels = JSON.parse(text('test-labels.json')) as number[];
      const csv = await server.invoke(text('test-features.csv'), 'text/csv');
      assert.equal(csv.status, 200, csv.body);
      assert.equal(csv.contentType, 'text/csv');
      const served = csv.body.split(',').map(Number);
      assert.deepEqual(served, direct.predictions);
      const servedAccuracy = served.filter((p, i) => p === labels[i]).length / labels.length;
      assert.equal(servedAccuracy, direct.accuracy);

      const rows = text('test-features.csv').trim().split('\n').slice(0, 5);
      const instances = rows.map((r) => ({ features: r.split(',').map(Number) }));
      const json = await server.invoke(JSON.stringify({ instances }), 'application/json', 'application/json');
      assert.equal(json.status, 200, json.body);
      assert.equal(json.contentType, 'application/json');
      assert.deepEqual(JSON.parse(json.body), { predictions: direct.predictions.slice(0, 5).map((score) => ({ score })) });
      const lines = await server.invoke(rows.join('\n'), 'text/csv', 'application/jsonlines');
      assert.deepEqual(
        lines.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
        direct.predictions.slice(0, 5).map((score) => ({ score })),
      );

      const mismatch = await server.invoke('1,2,3\n', 'text/csv');
      assert.equal(mismatch.status, 400);
      assert.match(
        mismatch.body,
        /^Unable to evaluate payload provided: Feature size of text\/csv inference data 3 is not consistent with feature size of trained model 64/,
      );
      assert.equal((await server.invoke('1,2', 'image/png')).status, 415);
      assert.equal((await server.invoke(rows[0] ?? '', 'text/csv', 'text/html')).status, 406);
      assert.equal((await server.invoke('', 'text/csv')).status, 204);
      const parameters = await fetch(`${server.url}/execution-parameters`).then((r) => r.json() as Promise<Record<string, unknown>>);
      assert.equal(parameters['BatchStrategy'], 'MULTI_RECORD');
    } finally {
      await server.close();
    }
  });

  it("two instances with ShardedByS3Key train together through xgboost's collective (Rabit) and the first saves the model", async () => {
    const rows = text('train.csv').trim().split('\n');
    const half = Math.ceil(rows.length / 2);
    const sharded = await uploadDataset(env, 'digits/sharded', {
      'part-1.csv': rows.slice(0, half).join('\n') + '\n',
      'part-2.csv': rows.slice(half).join('\n') + '\n',
    });
    const job = await runBuiltinJob(env, {
      name: 'xgb-distributed',
      image: images.xgboost,
      instanceCount: 2,
      hyperparameters: { ...params, num_round: '10', tree_method: 'hist' },
      channels: {
        train: { s3Uri: sharded, contentType: 'text/csv', distribution: 'ShardedByS3Key' },
        validation: { s3Uri: validationUri, contentType: 'text/csv' },
      },
    });
    assert.ok(
      job.logs.some((l) => l.includes('worker 1 of 2')),
      job.logs.join('\n'),
    );
    assert.ok(
      job.logs.some((l) => /Read 71[89] training rows/.test(l)),
      'each instance reads only its shard',
    );
    assert.deepEqual([...untarGzBytes(job.modelTarGz).keys()], ['xgboost-model']);
    assert.ok(1 - finalMetric(job.description, 'validation:merror') > 0.85, JSON.stringify(job.description.FinalMetricDataList));
  });

  it('bad input fails the job with a ClientError naming the problem', async () => {
    const ragged = await uploadDataset(env, 'bad/ragged', { 'train.csv': '1,2,3\n0,4,5\n1,2\n' });
    const channels = { train: { s3Uri: trainUri, contentType: 'text/csv' } };
    const cases: { name: string; hyperparameters: Record<string, string>; channels: Record<string, ChannelInput>; expect: RegExp }[] = [
      {
        name: 'xgb-no-num-round',
        hyperparameters: { objective: 'multi:softmax', num_class: '10' },
        channels,
        expect: /'num_round' is a required hyperparameter/,
      },
      { name: 'xgb-eta-range', hyperparameters: { num_round: '5', eta: '1.5' }, channels, expect: /'eta': value 1\.5 is greater than the maximum of 1/ },
      { name: 'xgb-no-num-class', hyperparameters: { num_round: '5', objective: 'multi:softprob' }, channels, expect: /num_class/ },
      {
        name: 'xgb-ragged',
        hyperparameters: { num_round: '5' },
        channels: { train: { s3Uri: ragged, contentType: 'text/csv' } },
        expect: /train\.csv, line 3: 2 columns, but line 1 has 3 \(ragged CSV\)/,
      },
      {
        name: 'xgb-content-type',
        hyperparameters: { num_round: '5' },
        channels: { train: { s3Uri: trainUri, contentType: 'image/png' } },
        expect: /Content type image\/png is not supported/,
      },
    ];
    const results = await Promise.all(
      cases.map((c) => runFailingJob(env, { name: c.name, image: 'xgboost', hyperparameters: c.hyperparameters, channels: c.channels })),
    );
    results.forEach(({ description }, i) => {
      const reason = description.FailureReason ?? '';
      assert.ok(reason.startsWith('ClientError: '), `${cases[i]?.name}: ${reason}`);
      assert.match(reason, cases[i]?.expect ?? /^$/);
    });
  });
});
