// Linear Learner through the platform: real training jobs (image URI of SageMaker's linear-learner)
// on scikit-learn datasets, then the job's model.tar.gz served with the same command the platform
// runs and checked through its predictions; bad input fails the job with a ClientError.
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
  type BuiltinJob,
} from './builtin-harness.js';

const execFileAsync = promisify(execFile);
const recordio = 'application/x-recordio-protobuf';

interface Manifest {
  binary: { features: number; train: number; test: number };
  regression: { features: number; sklearnRmse: number };
  multiclass: { features: number; classes: number };
}

let env: BuiltinEnv;
let dir: string;
let manifest: Manifest;
const file = (name: string): Buffer => readFileSync(path.join(dir, name));
const json = <T>(name: string): T => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;

function finalMetric(description: DescribeTrainingJobCommandOutput, name: string): number {
  const metric = description.FinalMetricDataList?.find((m) => m.MetricName === name);
  assert.ok(metric?.Value !== undefined, `no final metric ${name} in ${JSON.stringify(description.FinalMetricDataList)}`);
  return metric.Value;
}

interface Prediction {
  score: number | number[];
  predicted_label?: number;
}

describe('built-in Linear Learner', () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'salvia-ll-'));
    const { stdout } = await execFileAsync(algorithmPython, [path.join(repoRoot, 'test/fixtures/algorithms/linear_learner_datasets.py'), dir]);
    manifest = JSON.parse(stdout) as Manifest;
    env = await builtinEnv('linear-learner-e2e');
  });
  after(async () => {
    await env?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binary_classifier on breast cancer (recordio-protobuf): ≥ 0.95 test accuracy in training and from the served model', async () => {
    const train = await uploadDataset(env, 'binary/train', { 'train.rec': file('binary/train.rec') });
    const test = await uploadDataset(env, 'binary/test', { 'test.rec': file('binary/test.rec') });
    const job = await runBuiltinJob(env, {
      name: 'll-binary',
      image: images.linearLearner,
      hyperparameters: { predictor_type: 'binary_classifier', feature_dim: String(manifest.binary.features), mini_batch_size: '100' },
      channels: { train: { s3Uri: train, contentType: recordio }, test: { s3Uri: test, contentType: recordio } },
    });
    const names = job.description.AlgorithmSpecification?.MetricDefinitions?.map((d) => d.Name) ?? [];
    assert.ok(names.includes('test:binary_classification_accuracy') && names.includes('validation:objective_loss'), names.join(','));
    const trainedAccuracy = finalMetric(job.description, 'test:binary_classification_accuracy');
    assert.ok(trainedAccuracy >= 0.95, `test accuracy ${trainedAccuracy}`);
    assert.ok(finalMetric(job.description, 'train:objective_loss') > 0);
    assert.ok(job.logs.some((l) => l.includes("#test_score (algo-1) : ('binary_classification_accuracy'")));
    assert.deepEqual([...untarGzBytes(job.modelTarGz).keys()], ['model_algo-1']);

    const server = await serveModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz });
    try {
      const csv = file('binary/test-features.csv').toString('utf8');
      const answer = await server.invoke(csv, 'text/csv', 'application/json');
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.contentType, /^application\/json/);
      const predictions = (JSON.parse(answer.body) as { predictions: Prediction[] }).predictions;
      const labels = json<number[]>('binary/test-labels.json');
      assert.equal(predictions.length, labels.length);
      for (const p of predictions) {
        assert.equal(typeof p.score, 'number');
        assert.ok(p.predicted_label === 0 || p.predicted_label === 1);
      }
      const accuracy = predictions.filter((p, i) => p.predicted_label === labels[i]).length / labels.length;
      assert.ok(accuracy >= 0.95, `served accuracy ${accuracy}`);
      assert.ok(Math.abs(accuracy - trainedAccuracy) < 1e-9, `served ${accuracy} vs training's test score ${trainedAccuracy}`);

      // The same rows as JSON instances give the same answers.
      const rows = csv
        .trim()
        .split('\n')
        .slice(0, 5)
        .map((line) => line.split(',').map(Number));
      const viaJson = await server.invoke(JSON.stringify({ instances: rows.map((features) => ({ features })) }), 'application/json', 'application/json');
      assert.deepEqual((JSON.parse(viaJson.body) as { predictions: Prediction[] }).predictions, predictions.slice(0, 5));

      const mismatch = await server.invoke('1,2,3', 'text/csv', 'application/json');
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.body, /Unable to evaluate payload provided: .*3 features.*feature_dim=30/);
      assert.equal((await server.invoke('1,2', 'application/x-image')).status, 415);
    } finally {
      await server.close();
    }
  });

  it('regressor on diabetes (CSV): served RMSE within 10 % of scikit-learn LinearRegression', async () => {
    const train = await uploadDataset(env, 'regression/train', { 'train.csv': file('regression/train.csv') });
    const job = await runBuiltinJob(env, {
      name: 'll-regressor',
      image: 'linear-learner',
      hyperparameters: { predictor_type: 'regressor', mini_batch_size: '32' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' } },
    });
    assert.ok(finalMetric(job.description, 'train:mse') > 0);
    const server = await serveModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz });
    try {
      const answer = await server.invoke(file('regression/test-features.csv'), 'text/csv', 'application/jsonlines');
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.contentType, /^application\/jsonlines/);
      const scores = answer.body
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as Prediction).score as number);
      const labels = json<number[]>('regression/test-labels.json');
      assert.equal(scores.length, labels.length);
      const rmse = Math.sqrt(scores.reduce((sum, s, i) => sum + (s - (labels[i] as number)) ** 2, 0) / labels.length);
      assert.ok(rmse <= manifest.regression.sklearnRmse * 1.1, `RMSE ${rmse} vs scikit-learn ${manifest.regression.sklearnRmse}`);
    } finally {
      await server.close();
    }
  });

  it('multiclass_classifier on wine (CSV, validation channel): validation metrics and class scores when served', async () => {
    const train = await uploadDataset(env, 'multiclass/train', { 'train.csv': file('multiclass/train.csv') });
    const validation = await uploadDataset(env, 'multiclass/validation', { 'validation.csv': file('multiclass/validation.csv') });
    const job = await runBuiltinJob(env, {
      name: 'll-multiclass',
      image: images.linearLearner,
      hyperparameters: { predictor_type: 'multiclass_classifier', num_classes: '3', mini_batch_size: '16', epochs: '20' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' }, validation: { s3Uri: validation, contentType: 'text/csv' } },
    });
    assert.ok(finalMetric(job.description, 'validation:multiclass_accuracy') >= 0.9);
    assert.ok(finalMetric(job.description, 'validation:objective_loss') > 0);
    const server = await serveModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz });
    try {
      const answer = await server.invoke(file('multiclass/test-features.csv'), 'text/csv');
      assert.equal(answer.status, 200, answer.body);
      const predictions = (JSON.parse(answer.body) as { predictions: Prediction[] }).predictions;
      const labels = json<number[]>('multiclass/test-labels.json');
      for (const p of predictions) {
        assert.ok(Array.isArray(p.score) && p.score.length === 3);
        assert.equal(p.predicted_label, p.score.indexOf(Math.max(...p.score)));
      }
      const accuracy = predictions.filter((p, i) => p.predicted_label === labels[i]).length / labels.length;
      assert.ok(accuracy >= 0.9, `served accuracy ${accuracy}`);
    } finally {
      await server.close();
    }
  });

  it('bad input fails the job with a ClientError naming the problem', async () => {
    const binary = await uploadDataset(env, 'bad/binary', { 'train.rec': file('binary/train.rec') });
    const nan = await uploadDataset(env, 'bad/nan', { 'nan.csv': file('bad/nan.csv') });
    const ragged = await uploadDataset(env, 'bad/ragged', { 'ragged.csv': file('bad/ragged.csv') });
    const cases: [BuiltinJob, RegExp][] = [
      [
        {
          name: 'll-bad-no-predictor',
          image: 'linear-learner',
          hyperparameters: { feature_dim: '30' },
          channels: { train: { s3Uri: binary, contentType: recordio } },
        },
        /'predictor_type' is a required hyperparameter/,
      ],
      [
        {
          name: 'll-bad-feature-dim',
          image: 'linear-learner',
          hyperparameters: { predictor_type: 'binary_classifier', feature_dim: '31' },
          channels: { train: { s3Uri: binary, contentType: recordio } },
        },
        /the data has 30 features but feature_dim is 31/,
      ],
      [
        {
          name: 'll-bad-nan',
          image: 'linear-learner',
          hyperparameters: { predictor_type: 'binary_classifier' },
          channels: { train: { s3Uri: nan, contentType: 'text/csv' } },
        },
        /NaN or infinite/,
      ],
      [
        {
          name: 'll-bad-ragged',
          image: 'linear-learner',
          hyperparameters: { predictor_type: 'binary_classifier' },
          channels: { train: { s3Uri: ragged, contentType: 'text/csv' } },
        },
        /line 2/,
      ],
      [
        {
          name: 'll-bad-content-type',
          image: 'linear-learner',
          hyperparameters: { predictor_type: 'binary_classifier' },
          channels: { train: { s3Uri: binary, contentType: 'application/json' } },
        },
        /Content type 'application\/json' of channel 'train' is not supported/,
      ],
      [
        {
          name: 'll-bad-num-classes',
          image: 'linear-learner',
          hyperparameters: { predictor_type: 'multiclass_classifier' },
          channels: { train: { s3Uri: nan, contentType: 'text/csv' } },
        },
        /'num_classes' is a required/,
      ],
    ];
    const results = await Promise.all(cases.map(([job]) => runFailingJob(env, job)));
    results.forEach(({ description, logs }, i) => {
      const reason = description.FailureReason ?? '';
      assert.ok(reason.startsWith('ClientError: '), `${cases[i]![0].name}: ${reason}\n${logs.join('\n')}`);
      assert.match(reason, cases[i]![1]);
      assert.ok(!logs.some((l) => l.startsWith('Traceback')), `${cases[i]![0].name} printed a traceback`);
    });
  });
});
