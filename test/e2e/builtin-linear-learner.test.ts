// Linear Learner through the platform: real training jobs (image URI of SageMaker's linear-learner)
// on scikit-learn datasets, then the job's model.tar.gz served with the same command the platform
// runs and checked through its predictions; bad input fails the job with a ClientError.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  assertClientErrors,
  builtinSuite,
  csvRows,
  finalMetric,
  images,
  jsonLines,
  jsonPredictions,
  runBuiltinJob,
  uploadDataset,
  withServedModel,
} from './builtin-harness.js';
import { untarGzBytes } from './training-harness.js';

const recordio = 'application/x-recordio-protobuf';

interface Manifest {
  binary: { features: number; train: number; test: number };
  regression: { features: number; sklearnRmse: number };
  multiclass: { features: number; classes: number };
}

interface Prediction {
  score: number | number[];
  predicted_label?: number;
}

describe('built-in Linear Learner', () => {
  const suite = builtinSuite('linear-learner-e2e', 'linear_learner_datasets.py');
  const file = (name: string): Buffer => suite.data.file(name);
  const json = <T>(name: string): T => suite.data.json<T>(name);
  let manifest: Manifest;
  before(() => {
    manifest = JSON.parse(suite.data.stdout) as Manifest;
  });

  it('binary_classifier on breast cancer (recordio-protobuf): ≥ 0.95 test accuracy in training and from the served model', async () => {
    const train = await uploadDataset(suite.env, 'binary/train', { 'train.rec': file('binary/train.rec') });
    const test = await uploadDataset(suite.env, 'binary/test', { 'test.rec': file('binary/test.rec') });
    const job = await runBuiltinJob(suite.env, {
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

    await withServedModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz }, async (server) => {
      const csv = file('binary/test-features.csv').toString('utf8');
      const answer = await server.invoke(csv, 'text/csv', 'application/json');
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.contentType, /^application\/json/);
      const predictions = jsonPredictions<Prediction>(answer.body);
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
      const rows = csvRows(csv, 5);
      const viaJson = await server.invoke(JSON.stringify({ instances: rows.map((features) => ({ features })) }), 'application/json', 'application/json');
      assert.deepEqual(jsonPredictions<Prediction>(viaJson.body), predictions.slice(0, 5));

      const mismatch = await server.invoke('1,2,3', 'text/csv', 'application/json');
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.body, /Unable to evaluate payload provided: .*3 features.*feature_dim=30/);
      assert.equal((await server.invoke('1,2', 'application/x-image')).status, 415);
    });
  });

  it('regressor on diabetes (CSV): served RMSE within 10 % of scikit-learn LinearRegression', async () => {
    const train = await uploadDataset(suite.env, 'regression/train', { 'train.csv': file('regression/train.csv') });
    const job = await runBuiltinJob(suite.env, {
      name: 'll-regressor',
      image: 'linear-learner',
      hyperparameters: { predictor_type: 'regressor', mini_batch_size: '32' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' } },
    });
    assert.ok(finalMetric(job.description, 'train:mse') > 0);
    await withServedModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz }, async (server) => {
      const answer = await server.invoke(file('regression/test-features.csv'), 'text/csv', 'application/jsonlines');
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.contentType, /^application\/jsonlines/);
      const scores = jsonLines<Prediction>(answer.body).map((p) => p.score as number);
      const labels = json<number[]>('regression/test-labels.json');
      assert.equal(scores.length, labels.length);
      const rmse = Math.sqrt(scores.reduce((sum, s, i) => sum + (s - (labels[i] as number)) ** 2, 0) / labels.length);
      assert.ok(rmse <= manifest.regression.sklearnRmse * 1.1, `RMSE ${rmse} vs scikit-learn ${manifest.regression.sklearnRmse}`);
    });
  });

  it('multiclass_classifier on wine (CSV, validation channel): validation metrics and class scores when served', async () => {
    const train = await uploadDataset(suite.env, 'multiclass/train', { 'train.csv': file('multiclass/train.csv') });
    const validation = await uploadDataset(suite.env, 'multiclass/validation', { 'validation.csv': file('multiclass/validation.csv') });
    const job = await runBuiltinJob(suite.env, {
      name: 'll-multiclass',
      image: images.linearLearner,
      hyperparameters: { predictor_type: 'multiclass_classifier', num_classes: '3', mini_batch_size: '16', epochs: '20' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' }, validation: { s3Uri: validation, contentType: 'text/csv' } },
    });
    assert.ok(finalMetric(job.description, 'validation:multiclass_accuracy') >= 0.9);
    assert.ok(finalMetric(job.description, 'validation:objective_loss') > 0);
    await withServedModel({ algorithm: 'linear-learner', modelTarGz: job.modelTarGz }, async (server) => {
      const answer = await server.invoke(file('multiclass/test-features.csv'), 'text/csv');
      assert.equal(answer.status, 200, answer.body);
      const predictions = jsonPredictions<Prediction>(answer.body);
      const labels = json<number[]>('multiclass/test-labels.json');
      for (const p of predictions) {
        assert.ok(Array.isArray(p.score) && p.score.length === 3);
        assert.equal(p.predicted_label, p.score.indexOf(Math.max(...p.score)));
      }
      const accuracy = predictions.filter((p, i) => p.predicted_label === labels[i]).length / labels.length;
      assert.ok(accuracy >= 0.9, `served accuracy ${accuracy}`);
    });
  });

  it('bad input fails the job with a ClientError naming the problem', async () => {
    const binary = await uploadDataset(suite.env, 'bad/binary', { 'train.rec': file('binary/train.rec') });
    const nan = await uploadDataset(suite.env, 'bad/nan', { 'nan.csv': file('bad/nan.csv') });
    const ragged = await uploadDataset(suite.env, 'bad/ragged', { 'ragged.csv': file('bad/ragged.csv') });
    await assertClientErrors(suite.env, [
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
    ]);
  });
});
