import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { postgresTarget, sqliteTarget } from '../testing/index.js';
import { KyselyTrainingMetricsRepository, type StoredTrainingMetric } from './training-metrics.js';

const base = 1_732_262_400_123;
const strip = (rows: readonly StoredTrainingMetric[]) => rows.map(({ metricName, timestamp, value }) => ({ metricName, timestamp, value }));

/** Training metric series on every dialect (migration 0004-training-metrics). */
const trainingMetricsCases: readonly StoreContractCase[] = [
  {
    name: 'training metrics: append in batches, read back in (timestamp, seq) order, per metric and paged, case-insensitive job names',
    async run({ database, reopen }) {
      const repository = new KyselyTrainingMetricsRepository(database);
      // 1 201 samples: more than two insert chunks; values with fractions, negatives and exponents.
      const samples = Array.from({ length: 1201 }, (_, i) => ({
        metricName: i % 2 === 0 ? 'train:loss' : 'validation:rmse',
        timestamp: base + Math.floor(i / 4),
        value: i % 3 === 0 ? -(i + 1) / 7 : i * 1e-9,
      }));
      await repository.append('My-Job', samples);
      await repository.append('other-job', [{ metricName: 'train:loss', timestamp: base, value: 42 }]);
      await repository.append('My-Job', []);
      const again = new KyselyTrainingMetricsRepository(await reopen());
      const all: StoredTrainingMetric[] = [];
      for (let page = await again.read('my-job', { limit: 500 }); page.length > 0;) {
        all.push(...page);
        const last = page.at(-1);
        page = last ? await again.read('MY-JOB', { limit: 500, after: { timestamp: last.timestamp, seq: last.seq } }) : [];
      }
      assert.deepEqual(strip(all), samples);
      const loss = await again.read('my-job', { metricName: 'train:loss' });
      assert.deepEqual(
        strip(loss),
        samples.filter((s) => s.metricName === 'train:loss'),
      );
      assert.deepEqual(await again.metricNames('MY-job'), ['train:loss', 'validation:rmse']);
      assert.deepEqual(await again.metricNames('no-such-job'), []);
      assert.deepEqual(await again.read('no-such-job'), []);
    },
  },
  {
    name: 'training metrics: last values take the latest timestamp, then the latest insert; deleteJob removes only that job',
    async run({ database }) {
      const repository = new KyselyTrainingMetricsRepository(database);
      await repository.append('job-a', [
        { metricName: 'acc', timestamp: base + 10, value: 0.5 },
        { metricName: 'acc', timestamp: base + 30, value: 0.7 },
        { metricName: 'loss', timestamp: base + 20, value: 2 },
      ]);
      // Later insert, earlier timestamp (another instance's line read late): not the last value.
      await repository.append('job-a', [
        { metricName: 'acc', timestamp: base + 5, value: 0.1 },
        { metricName: 'loss', timestamp: base + 20, value: 1.5 },
      ]);
      await repository.append('job-b', [{ metricName: 'acc', timestamp: base + 99, value: 9 }]);
      assert.deepEqual(strip(await repository.lastValues('JOB-A')), [
        { metricName: 'acc', timestamp: base + 30, value: 0.7 },
        { metricName: 'loss', timestamp: base + 20, value: 1.5 },
      ]);
      assert.equal(await repository.deleteJob('Job-A'), 5);
      assert.deepEqual(await repository.lastValues('job-a'), []);
      assert.equal(await repository.deleteJob('job-a'), 0);
      assert.deepEqual(strip(await repository.lastValues('job-b')), [{ metricName: 'acc', timestamp: base + 99, value: 9 }]);
    },
  },
];

runStoreContract('SQLite training metrics', sqliteTarget, trainingMetricsCases);

describe('PostgreSQL training metrics', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL training metrics', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), trainingMetricsCases);
});
