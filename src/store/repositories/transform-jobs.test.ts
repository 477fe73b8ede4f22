import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { pageNames, postgresTarget, sqliteTarget } from '../testing/index.js';
import type { PageRequest } from './list-page.js';
import { KyselyTransformJobRepository, type StoredTransformJob } from './transform-jobs.js';

interface TestJob extends StoredTransformJob {
  readonly spec: { readonly ModelName: string; readonly Environment: Record<string, string> };
  readonly failureReason?: string;
}

const job = (name: string, creationTime: number, status: string, lastModifiedTime = creationTime): TestJob => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:transform-job/${name.toLowerCase()}`,
  creationTime,
  lastModifiedTime,
  status,
  spec: { ModelName: 'm', Environment: { A: 'ü "quoted"' } },
});

const cases: StoreContractCase[] = [
  {
    name: 'transform jobs: insert with tags, get case-insensitively, reject a duplicate, update, find by status',
    async run({ database, reopen }) {
      const repository = new KyselyTransformJobRepository<TestJob>(database);
      assert.equal(await repository.insert(job('My-Transform', 1732262400123, 'InProgress'), [{ key: 'team', value: 'x' }]), true);
      assert.equal(await repository.insert(job('my-transform', 1, 'InProgress')), false);
      const failed = { ...job('My-Transform', 1732262400123, 'Failed', 1732262409999), failureReason: 'ClientError: a.csv: 500' };
      await repository.update(failed);
      const again = new KyselyTransformJobRepository<TestJob>(await reopen());
      assert.deepEqual(await again.get('MY-TRANSFORM'), failed);
      assert.equal(await again.get('other'), undefined);
      await again.insert(job('b', 5, 'InProgress'));
      await again.insert(job('a', 6, 'Stopping'));
      assert.deepEqual(
        (await again.withStatus(['InProgress', 'Stopping'])).map((j) => j.name),
        ['b', 'a'],
      );
    },
  },
  {
    name: 'transform jobs: pages by creation time, name and status with StatusEquals, NameContains and time filters',
    async run({ database }) {
      const repository = new KyselyTransformJobRepository<TestJob>(database);
      for (const j of [
        job('b-job', 3000, 'Failed', 9000),
        job('A-job', 1000, 'Completed', 4000),
        job('c-job', 3000, 'InProgress', 3000),
        job('z', 5000, 'Stopped', 6000),
      ])
        await repository.insert(j);
      const list = (request: PageRequest): ReturnType<typeof repository.list> => repository.list(request);
      assert.deepEqual(await pageNames(list, { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 1 }), ['z', 'c-job', 'b-job', 'A-job']);
      assert.deepEqual(await pageNames(list, { sortBy: 'status', sortOrder: 'Ascending', maxResults: 3 }), ['A-job', 'b-job', 'c-job', 'z']);
      assert.deepEqual(await pageNames(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, statusEquals: 'Stopped' }), ['z']);
      assert.deepEqual(
        await pageNames(list, {
          sortBy: 'name',
          sortOrder: 'Descending',
          maxResults: 10,
          lastModifiedTimeBefore: 9000,
          creationTimeAfter: 999,
          nameContains: 'JOB',
        }),
        ['c-job', 'A-job'],
      );
    },
  },
];

runStoreContract('SQLite transform jobs', sqliteTarget, cases);

describe('PostgreSQL transform jobs', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL transform jobs', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
