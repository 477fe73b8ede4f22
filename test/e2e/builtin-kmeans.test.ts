// K-Means through the platform: real training jobs (SageMaker's kmeans image URI) on well separated
// scikit-learn blobs in recordio-protobuf and CSV, then the job's model.tar.gz served with the same
// command the platform runs and checked through its predictions; bad input fails the job with a
// ClientError naming the problem.
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
  type AlgorithmServer,
  type BuiltinJob,
} from './builtin-harness.js';
import { untarGzBytes } from './training-harness.js';

const recordio = 'application/x-recordio-protobuf';

interface Manifest {
  features: number;
  k: number;
  train: number;
  test: number;
}

interface Prediction {
  closest_cluster: number;
  distance_to_cluster: number;
}

/** Fraction of rows whose predicted cluster's majority true label is their own label. */
function purity(clusters: readonly number[], labels: readonly number[]): number {
  const counts = new Map<number, Map<number, number>>();
  clusters.forEach((c, i) => {
    const byLabel = counts.get(c) ?? new Map<number, number>();
    byLabel.set(labels[i] as number, (byLabel.get(labels[i] as number) ?? 0) + 1);
    counts.set(c, byLabel);
  });
  let majority = 0;
  for (const byLabel of counts.values()) majority += Math.max(...byLabel.values());
  return majority / labels.length;
}

describe('built-in K-Means', () => {
  const suite = builtinSuite('kmeans-e2e', 'kmeans_blobs.py');
  const file = (name: string): Buffer => suite.data.file(name);
  let manifest: Manifest;
  before(() => {
    manifest = JSON.parse(suite.data.stdout) as Manifest;
  });

  /** Predicts the test rows (CSV, JSON answer) and checks the clusters recover the blobs. */
  async function checkServedClusters(server: AlgorithmServer): Promise<Prediction[]> {
    const answer = await server.invoke(file('test.csv'), 'text/csv', 'application/json');
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.contentType, /^application\/json/);
    const predictions = jsonPredictions<Prediction>(answer.body);
    assert.equal(predictions.length, manifest.test);
    for (const p of predictions) {
      assert.ok(Number.isInteger(p.closest_cluster) && p.closest_cluster >= 0 && p.closest_cluster < manifest.k, JSON.stringify(p));
      assert.ok(p.distance_to_cluster >= 0 && p.distance_to_cluster < 10, JSON.stringify(p)); // std 1.5 in 5 dims
    }
    const clusters = predictions.map((p) => p.closest_cluster);
    assert.equal(new Set(clusters).size, manifest.k);
    const labels = suite.data.json<number[]>('test-labels.json');
    assert.ok(purity(clusters, labels) >= 0.99, `purity ${purity(clusters, labels)}`);
    return predictions;
  }

  it('recordio-protobuf train (sharded, two files) + CSV test: test:msd/test:ssd, clusters recovered when served in every format', async () => {
    const train = await uploadDataset(suite.env, 'pb/train', { 'train-0.rec': file('train-0.rec'), 'train-1.rec': file('train-1.rec') });
    const test = await uploadDataset(suite.env, 'pb/test', { 'test.csv': file('test.csv') });
    const job = await runBuiltinJob(suite.env, {
      name: 'kmeans-recordio',
      image: images.kmeans,
      hyperparameters: { k: String(manifest.k), feature_dim: String(manifest.features), mini_batch_size: '500', eval_metrics: '["msd","ssd"]' },
      channels: {
        train: { s3Uri: train, contentType: recordio, distribution: 'ShardedByS3Key' },
        test: { s3Uri: test, contentType: 'text/csv;label_size=0' },
      },
    });
    const names = job.description.AlgorithmSpecification?.MetricDefinitions?.map((d) => d.Name) ?? [];
    assert.ok(names.includes('test:msd') && names.includes('test:ssd'), names.join(','));
    const msd = finalMetric(job.description, 'test:msd');
    const ssd = finalMetric(job.description, 'test:ssd');
    // Points scatter with std 1.5 in 5 dimensions around their blob's center: msd ≈ 5 × 1.5².
    assert.ok(msd > 5 && msd < 20, `test:msd ${msd}`);
    assert.ok(Math.abs(ssd - msd * manifest.test) / ssd < 1e-3, `ssd ${ssd} vs msd ${msd} × ${manifest.test}`);
    assert.ok(job.logs.some((l) => l.includes("#test_score (algo-1) : ('msd'")));
    assert.deepEqual([...untarGzBytes(job.modelTarGz).keys()], ['model_algo-1']);

    await withServedModel({ algorithm: 'kmeans', modelTarGz: job.modelTarGz }, async (server) => {
      const predictions = await checkServedClusters(server);
      const rows = csvRows(suite.data.text('test.csv'), 5);

      const viaJson = await server.invoke(JSON.stringify({ instances: rows.map((features) => ({ features })) }), 'application/json');
      assert.equal(viaJson.status, 200, viaJson.body);
      assert.deepEqual(jsonPredictions<Prediction>(viaJson.body), predictions.slice(0, 5));

      const lines = rows.map((features) => JSON.stringify({ data: { features: { values: features } } })).join('\n');
      const viaJsonLines = await server.invoke(lines, 'application/jsonlines', 'application/jsonlines');
      assert.equal(viaJsonLines.status, 200, viaJsonLines.body);
      assert.match(viaJsonLines.contentType, /^application\/jsonlines/);
      assert.deepEqual(jsonLines<Prediction>(viaJsonLines.body), predictions.slice(0, 5));

      const viaRecordio = await server.invoke(file('train-0.rec'), recordio, recordio);
      assert.equal(viaRecordio.status, 200);
      assert.match(viaRecordio.contentType, /^application\/x-recordio-protobuf/);

      const mismatch = await server.invoke('1,2,3', 'text/csv', 'application/json');
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.body, /Unable to evaluate payload provided: .*3 features.*feature_dim=5/);
      assert.equal((await server.invoke('1,2', 'application/x-image')).status, 415);
      assert.equal((await server.invoke('1,2,3,4,5', 'text/csv', 'text/html')).status, 406);
    });
  });

  it('CSV train (label_size=0), kmeans++, no test channel: no test metrics, clusters recovered when served', async () => {
    const train = await uploadDataset(suite.env, 'csv/train', { 'train.csv': file('train.csv') });
    const job = await runBuiltinJob(suite.env, {
      name: 'kmeans-csv',
      image: 'kmeans',
      hyperparameters: { k: String(manifest.k), feature_dim: String(manifest.features), init_method: 'kmeans++', epochs: '2' },
      channels: { train: { s3Uri: train, contentType: 'text/csv;label_size=0' } },
    });
    assert.equal(
      job.description.FinalMetricDataList?.find((m) => m.MetricName === 'test:msd'),
      undefined,
    );
    await withServedModel({ algorithm: 'kmeans', modelTarGz: job.modelTarGz }, checkServedClusters);
  });

  it('Pipe input mode: recordio-protobuf streamed through the FIFO, two epochs, clusters recovered', async () => {
    const train = await uploadDataset(suite.env, 'pipe/train', { 'train-0.rec': file('train-0.rec'), 'train-1.rec': file('train-1.rec') });
    const job = await runBuiltinJob(suite.env, {
      name: 'kmeans-pipe',
      image: images.kmeans,
      inputMode: 'Pipe',
      hyperparameters: { k: String(manifest.k), feature_dim: String(manifest.features), epochs: '2' },
      channels: { train: { s3Uri: train, contentType: recordio } },
    });
    await withServedModel({ algorithm: 'kmeans', modelTarGz: job.modelTarGz }, checkServedClusters);
  });

  it('bad input fails the job with a ClientError naming the problem', async () => {
    const train = await uploadDataset(suite.env, 'bad/train', { 'train-0.rec': file('train-0.rec') });
    const ragged = await uploadDataset(suite.env, 'bad/ragged', { 'ragged.csv': file('ragged.csv') });
    const job = (name: string, hyperparameters: Record<string, string>, s3Uri = train, contentType = recordio): BuiltinJob => ({
      name,
      image: images.kmeans,
      hyperparameters,
      channels: { train: { s3Uri, contentType } },
    });
    await assertClientErrors(suite.env, [
      [job('kmeans-bad-no-k', { feature_dim: '5' }), /'k' is a required hyperparameter/],
      [job('kmeans-bad-k-range', { k: '0', feature_dim: '5' }), /Hyperparameter 'k': value 0 is less than the minimum of 1/],
      [job('kmeans-bad-feature-dim', { k: '4', feature_dim: '7' }), /records of channel 'train' have 5 features, but the hyperparameter feature_dim is 7/],
      [job('kmeans-bad-k-rows', { k: '1001', feature_dim: '5' }), /k=1001 is greater than the number of training records \(1000\)/],
      [job('kmeans-bad-ragged', { k: '2', feature_dim: '5' }, ragged, 'text/csv'), /train\/ragged\.csv: line 3 has 4 columns, but line 1 has 5/],
      [job('kmeans-bad-content-type', { k: '2', feature_dim: '5' }, train, 'text/libsvm'), /Content type 'text\/libsvm' of channel 'train' is not supported/],
    ]);
  });
});
