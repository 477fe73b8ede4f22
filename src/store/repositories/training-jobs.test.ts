import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { pageNames, postgresTarget, sqliteTarget } from '../testing/index.js';
import type { PageRequest } from './list-page.js';
import { KyselyTrainingJobRepository, type StoredTrainingJob } from './training-jobs.js';

interface TestJob extends StoredTrainingJob {
  readonly spec: { readonly HyperParameters: Record<string, string> };
  readonly transitions: ReadonlyArray<{ status: string; startTime: number }>;
}

const job = (name: string, creationTime: number, status: string, lastModifiedTime = creationTime): TestJob => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name.toLowerCase()}`,
  creationTime,
  lastModifiedTime,
  status,
  spec: { HyperParameters: { epochs: '2' } },
  transitions: [{ status: 'Starting', startTime: creationTime }],
});

const cases: StoreContractCase[] = [
  {
    name: 'training jobs: insert, get case-insensitively, reject a duplicate, update, find by status',
    async run({ database, reopen }) {
      const repository = new KyselyTrainingJobRepository<TestJob>(database);
      assert.equal(await repository.insert(job('My-Job', 1732262400123, 'InProgress')), true);
      assert.equal(await repository.insert(job('my-job', 1, 'InProgress')), false);
      await repository.update({ ...job('My-Job', 1732262400123, 'Completed', 1732262409999), transitions: [] });
      const again = new KyselyTrainingJobRepository<TestJob>(await reopen());
      assert.deepEqual(await again.get('MY-JOB'), { ...job('My-Job', 1732262400123, 'Completed', 1732262409999), transitions: [] });
      await again.insert(job('b', 5, 'InProgress'));
      await again.insert(job('a', 6, 'Stopping'));
      assert.deepEqual(
        (await again.withStatus(['InProgress', 'Stopping'])).map((j) => j.name),
        ['b', 'a'],
      );
    },
  },
  {
    name: 'training jobs: pages by creation time, name and status with StatusEquals and time filters',
    async run({ database }) {
      const repository = new KyselyTrainingJobRepository<TestJob>(database);
      for (const j of [
        job('b-job', 3000, 'Failed', 9000),
        job('A-job', 1000, 'Completed', 4000),
        job('c-job', 3000, 'InProgress', 3000),
        job('z', 5000, 'Completed', 6000),
      ])
        await repository.insert(j);
      const list = (request: PageRequest): ReturnType<typeof repository.list> => repository.list(request);
      assert.deepEqual(await pageNames(list, { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 1 }), ['z', 'c-job', 'b-job', 'A-job']);
      assert.deepEqual(await pageNames(list, { sortBy: 'status', sortOrder: 'Ascending', maxResults: 2 }), ['A-job', 'z', 'b-job', 'c-job']);
      assert.deepEqual(await pageNames(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, statusEquals: 'Completed' }), ['A-job', 'z']);
      assert.deepEqual(
        await pageNames(list, {
          sortBy: 'name',
          sortOrder: 'Ascending',
          maxResults: 10,
          lastModifiedTimeAfter: 4000,
          nameContains: 'JOB',
        }),
        ['b-job'],
      );
    },
  },
];

runStoreContract('SQLite training jobs', sqliteTarget, cases);

describe('PostgreSQL training jobs', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL training jobs', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
