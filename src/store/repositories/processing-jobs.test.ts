import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { pageNames, postgresTarget, sqliteTarget } from '../testing/index.js';
import type { PageRequest } from './list-page.js';
import { KyselyProcessingJobRepository, type StoredProcessingJob } from './processing-jobs.js';
import { KyselyTagRepository } from './tags.js';

interface TestJob extends StoredProcessingJob {
  readonly spec: { readonly Environment: Record<string, string> };
  readonly exitMessage?: string;
}

const job = (name: string, creationTime: number, status: string, lastModifiedTime = creationTime): TestJob => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${name.toLowerCase()}`,
  creationTime,
  lastModifiedTime,
  status,
  spec: { Environment: { MODE: 'split' } },
});

const cases: StoreContractCase[] = [
  {
    name: 'processing jobs: insert with tags, get case-insensitively, reject a duplicate, update, find by status',
    async run({ database, reopen }) {
      const repository = new KyselyProcessingJobRepository<TestJob>(database);
      assert.equal(await repository.insert(job('Split-Job', 1732262400123, 'InProgress'), [{ key: 'team', value: 'ml' }]), true);
      assert.equal(await repository.insert(job('split-job', 1, 'InProgress')), false);
      await repository.update({ ...job('Split-Job', 1732262400123, 'Failed', 1732262409999), exitMessage: 'bad row 7' });
      const reopened = await reopen();
      const again = new KyselyProcessingJobRepository<TestJob>(reopened);
      assert.deepEqual(await again.get('SPLIT-JOB'), { ...job('Split-Job', 1732262400123, 'Failed', 1732262409999), exitMessage: 'bad row 7' });
      assert.deepEqual(await new KyselyTagRepository(reopened).list(job('Split-Job', 0, '').arn), [{ key: 'team', value: 'ml' }]);
      await again.insert(job('b', 5, 'InProgress'));
      await again.insert(job('a', 6, 'Stopping'));
      assert.deepEqual(
        (await again.withStatus(['InProgress', 'Stopping'])).map((j) => j.name),
        ['b', 'a'],
      );
    },
  },
  {
    name: 'processing jobs: pages by creation time, name and status with StatusEquals and time filters',
    async run({ database }) {
      const repository = new KyselyProcessingJobRepository<TestJob>(database);
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
      assert.deepEqual(await pageNames(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, creationTimeBefore: 4000, nameContains: 'JOB' }), [
        'A-job',
        'b-job',
        'c-job',
      ]);
    },
  },
];

runStoreContract('SQLite processing jobs', sqliteTarget, cases);

describe('PostgreSQL processing jobs', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL processing jobs', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
