import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import type { Kysely } from 'kysely';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { postgresTarget, sqliteTarget } from '../testing/index.js';
import { listPage, type PageRequest } from './list-page.js';

interface ProbeSchema {
  paging_probe: { name_lower: string; status: string; created: number; modified: number };
}

const columns = {
  nameLower: 'name_lower',
  creationTime: 'created',
  lastModifiedTime: 'modified',
  status: 'status',
  sortColumns: { name: 'name_lower', creationTime: 'created', status: 'status' },
  textColumns: ['status'],
};

// '-' sorts before digits and letters byte-wise, but not in PostgreSQL's default collation.
const rows = [
  { name_lower: 'job-b', status: 'Completed', created: 10, modified: 100 },
  { name_lower: 'job-a', status: 'InProgress', created: 20, modified: 300 },
  { name_lower: 'job', status: 'Failed', created: 30, modified: 200 },
  { name_lower: 'job-1', status: 'Completed', created: 30, modified: 400 },
  { name_lower: 'jobz', status: 'InProgress', created: 40, modified: 500 },
];

const cases: StoreContractCase[] = [
  {
    name: 'listPage: sorts byte-wise with a name tie-breaker, filters by status and times, pages with cursors',
    async run({ database }) {
      const db = database.db as unknown as Kysely<ProbeSchema>;
      await db.schema
        .createTable('paging_probe')
        .addColumn('name_lower', 'varchar(63)', (c) => c.primaryKey())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('modified', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('paging_probe').values(rows).execute();
      const all = async (request: Omit<PageRequest, 'after'>): Promise<string[][]> => {
        const pages: string[][] = [];
        let after: PageRequest['after'];
        do {
          const page = await listPage(database, db.selectFrom('paging_probe').selectAll(), { ...request, ...(after ? { after } : {}) }, columns);
          pages.push(page.rows.map((row) => row.name_lower));
          after = page.next;
        } while (after);
        return pages;
      };
      assert.deepEqual(await all({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 2 }), [['job', 'job-1'], ['job-a', 'job-b'], ['jobz']]);
      assert.deepEqual(await all({ sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 2 }), [['jobz', 'job-1'], ['job', 'job-a'], ['job-b']]);
      assert.deepEqual(await all({ sortBy: 'status', sortOrder: 'Ascending', maxResults: 10 }), [['job-1', 'job-b', 'job', 'job-a', 'jobz']]);
      assert.deepEqual(await all({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, statusEquals: 'InProgress' }), [['job-a', 'jobz']]);
      assert.deepEqual(await all({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, lastModifiedTimeAfter: 200, lastModifiedTimeBefore: 500 }), [
        ['job-1', 'job-a'],
      ]);
      assert.deepEqual(await all({ sortBy: 'name', sortOrder: 'Descending', maxResults: 1, nameContains: 'JOB-', creationTimeAfter: 10 }), [
        ['job-a'],
        ['job-1'],
      ]);
      await assert.rejects(
        listPage(database, db.selectFrom('paging_probe').selectAll(), { sortBy: 'size', sortOrder: 'Ascending', maxResults: 1 }, columns),
        /cannot sort by size/,
      );
    },
  },
];

runStoreContract('SQLite listPage', sqliteTarget, cases);

describe('PostgreSQL listPage', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL listPage', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
