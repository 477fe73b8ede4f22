import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { pageNames, postgresTarget, sqliteTarget } from '../testing/index.js';
import type { PageRequest } from './list-page.js';
import { KyselyJobRepository, type JobTable, type StoredJob } from './jobs.js';
import { KyselyTagRepository } from './tags.js';

interface TestJob extends StoredJob {
  readonly spec: { readonly Environment: Record<string, string> };
  readonly transitions: ReadonlyArray<{ status: string; startTime: number }>;
  readonly failureReason?: string;
}

const tables: ReadonlyArray<readonly [JobTable, string]> = [
  ['training_jobs', 'training-job'],
  ['processing_jobs', 'processing-job'],
  ['transform_jobs', 'transform-job'],
];

const casesFor = (table: JobTable, type: string): StoreContractCase[] => {
  const job = (name: string, creationTime: number, status: string, lastModifiedTime = creationTime): TestJob => ({
    name,
    arn: `arn:aws:sagemaker:us-east-1:000000000000:${type}/${name.toLowerCase()}`,
    creationTime,
    lastModifiedTime,
    status,
    spec: { Environment: { A: 'ü "quoted"' } },
    transitions: [{ status: 'Starting', startTime: creationTime }],
  });
  return [
    {
      name: `${table}: insert with tags, get case-insensitively, reject a duplicate, update, find by status`,
      async run({ database, reopen }) {
        const repository = new KyselyJobRepository<TestJob>(database, table);
        assert.equal(await repository.insert(job('My-Job', 1732262400123, 'InProgress'), [{ key: 'team', value: 'ml' }]), true);
        assert.equal(await repository.insert(job('my-job', 1, 'InProgress')), false);
        const failed = { ...job('My-Job', 1732262400123, 'Failed', 1732262409999), transitions: [], failureReason: 'ClientError: a.csv: 500' };
        await repository.update(failed);
        const reopened = await reopen();
        const again = new KyselyJobRepository<TestJob>(reopened, table);
        assert.deepEqual(await again.get('MY-JOB'), failed);
        assert.equal(await again.get('other'), undefined);
        assert.deepEqual(await new KyselyTagRepository(reopened).list(failed.arn), [{ key: 'team', value: 'ml' }]);
        await again.insert(job('b', 5, 'InProgress'));
        await again.insert(job('a', 6, 'Stopping'));
        assert.deepEqual(
          (await again.withStatus(['InProgress', 'Stopping'])).map((j) => j.name),
          ['b', 'a'],
        );
        assert.deepEqual(await again.withStatus([]), []);
      },
    },
    {
      name: `${table}: pages by creation time, name and status with StatusEquals, NameContains and time filters`,
      async run({ database }) {
        const repository = new KyselyJobRepository<TestJob>(database, table);
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
        assert.deepEqual(await pageNames(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, lastModifiedTimeAfter: 4000, nameContains: 'JOB' }), [
          'b-job',
        ]);
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
};

const cases: StoreContractCase[] = [
  ...tables.flatMap(([table, type]) => casesFor(table, type)),
  {
    name: 'each kind of job has its own table: the same name may be a training, a processing and a transform job',
    async run({ database }) {
      for (const [table, type] of tables) {
        const repository = new KyselyJobRepository<StoredJob>(database, table);
        const record = { name: 'same', arn: `arn:aws:sagemaker:us-east-1:000000000000:${type}/same`, creationTime: 1, lastModifiedTime: 1, status: table };
        assert.equal(await repository.insert(record), true, table);
      }
      for (const [table] of tables) assert.equal((await new KyselyJobRepository<StoredJob>(database, table).get('same'))?.status, table);
    },
  },
];

runStoreContract('SQLite jobs', sqliteTarget, cases);

describe('PostgreSQL jobs', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL jobs', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
