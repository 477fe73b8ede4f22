// XGBoost through the platform: a real training job (SageMaker's sagemaker-xgboost:1.7-1 image URI)
// on sklearn's digits reaches exactly what xgboost itself reaches with the same params and data; the
// job's model.tar.gz is served with the command the platform runs and checked over CSV and JSON;
// bad input fails the job with a ClientError, or the invocation with a 4xx.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  assertClientErrors,
  builtinSuite,
  finalMetric,
  images,
  jsonLines,
  runAlgorithmFixture,
  runBuiltinJob,
  uploadDataset,
  withServedModel,
  type BuiltinJob,
} from './builtin-harness.js';
import { untarGzBytes } from './training-harness.js';

const script = 'xgboost_digits.py';
const params = { num_round: '25', objective: 'multi:softmax', num_class: '10', max_depth: '4', eta: '0.3', eval_metric: 'merror,mlogloss' };

interface Direct {
  accuracy: number;
  predictions: number[];
}

describe('built-in XGBoost', () => {
  const suite = builtinSuite('xgboost-e2e', script, ['data']);
  const text = (name: string): string => suite.data.text(name);
  let trainUri: string;
  let validationUri: string;
  before(async () => {
    trainUri = await uploadDataset(suite.env, 'digits/train', { 'train.csv': text('train.csv') });
    validationUri = await uploadDataset(suite.env, 'digits/validation', { 'validation.csv': text('validation.csv') });
  });

  it('multi:softmax on digits: the accuracy xgboost reaches directly, predefined metrics, and the same predictions when served', async () => {
    const [job, direct] = await Promise.all([
      runBuiltinJob(suite.env, {
        name: 'xgb-digits',
        image: images.xgboost,
        hyperparameters: params,
        channels: { train: { s3Uri: trainUri, contentType: 'text/csv' }, validation: { s3Uri: validationUri, contentType: 'text/csv' } },
      }),
      runAlgorithmFixture(script, ['direct', suite.data.dir, JSON.stringify(params)]).then((stdout) => JSON.parse(stdout) as Direct),
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

    await withServedModel({ algorithm: 'xgboost', modelTarGz: job.modelTarGz }, async (server) => {
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
        jsonLines(lines.body),
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
    });
  });

  it("two instances with ShardedByS3Key train together through xgboost's collective (Rabit) and the first saves the model", async () => {
    const rows = text('train.csv').trim().split('\n');
    const half = Math.ceil(rows.length / 2);
    const sharded = await uploadDataset(suite.env, 'digits/sharded', {
      'part-1.csv': rows.slice(0, half).join('\n') + '\n',
      'part-2.csv': rows.slice(half).join('\n') + '\n',
    });
    const job = await runBuiltinJob(suite.env, {
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
    const ragged = await uploadDataset(suite.env, 'bad/ragged', { 'train.csv': '1,2,3\n0,4,5\n1,2\n' });
    const train = { train: { s3Uri: trainUri, contentType: 'text/csv' } };
    const job = (name: string, hyperparameters: Record<string, string>, channels: BuiltinJob['channels'] = train): BuiltinJob => ({
      name,
      image: 'xgboost',
      hyperparameters,
      channels,
    });
    await assertClientErrors(suite.env, [
      [job('xgb-no-num-round', { objective: 'multi:softmax', num_class: '10' }), /'num_round' is a required hyperparameter/],
      [job('xgb-eta-range', { num_round: '5', eta: '1.5' }), /'eta': value 1\.5 is greater than the maximum of 1/],
      [job('xgb-no-num-class', { num_round: '5', objective: 'multi:softprob' }), /num_class/],
      [
        job('xgb-ragged', { num_round: '5' }, { train: { s3Uri: ragged, contentType: 'text/csv' } }),
        /train\.csv, line 3: 2 columns, but line 1 has 3 \(ragged CSV\)/,
      ],
      [job('xgb-content-type', { num_round: '5' }, { train: { s3Uri: trainUri, contentType: 'image/png' } }), /Content type image\/png is not supported/],
    ]);
  });
});
