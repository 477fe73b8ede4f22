import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { postgresTarget, sqliteTarget } from '../testing/index.js';
import type { PageRequest } from './list-page.js';
import { KyselyModelRepository, type StoredModel } from './models.js';
import { KyselyTagRepository } from './tags.js';

interface TestModel extends StoredModel {
  readonly enableNetworkIsolation: boolean;
  readonly primaryContainer?: { readonly image: string; readonly environment?: Record<string, string> };
}

const model = (name: string, creationTime: number): TestModel => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:model/${name.toLowerCase()}`,
  creationTime,
  enableNetworkIsolation: false,
  primaryContainer: { image: 'img', environment: { A: 'b' } },
});

/** Follows NextToken-style cursors to the end; returns the names in page order and the page sizes. */
async function listAll(repository: KyselyModelRepository<TestModel>, request: Omit<PageRequest, 'after'>): Promise<{ names: string[]; sizes: number[] }> {
  const names: string[] = [];
  const sizes: number[] = [];
  let after: PageRequest['after'];
  for (;;) {
    const page = await repository.list({ ...request, ...(after ? { after } : {}) });
    names.push(...page.items.map((m) => m.name));
    sizes.push(page.items.length);
    if (!page.next) return { names, sizes };
    after = page.next;
  }
}

// Times chosen so that sorting by time and by name differ, with a tie on time.
const seeded = [model('b-model', 3000), model('A-model', 1000), model('c-model', 3000), model('a-1', 2000), model('Z', 5000)];

const modelCases: StoreContractCase[] = [
  {
    name: 'models: the model and its tags are stored together; a refused duplicate changes no tags',
    async run({ database }) {
      const repository = new KyselyModelRepository<TestModel>(database);
      const tags = new KyselyTagRepository(database);
      const first = model('Tagged', 1000);
      // Tags left under the ARN by an earlier model of that name are replaced, not merged.
      assert.equal(await tags.put(first.arn, [{ key: 'stale', value: 'x' }], 50), true);
      assert.equal(
        await repository.insert(first, [
          { key: 'team', value: 'a' },
          { key: 'env', value: 'dev' },
          { key: 'team', value: 'b' },
        ]),
        true,
      );
      assert.deepEqual(await tags.list(first.arn), [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'b' },
      ]);
      assert.equal(await repository.insert(model('tagged', 2000), [{ key: 'other', value: 'y' }]), false);
      assert.deepEqual(
        (await tags.list(first.arn)).map((tag) => tag.key),
        ['env', 'team'],
      );
    },
  },
  {
    name: 'models: insert, get case-insensitively, reject a duplicate, delete',
    async run({ database, reopen }) {
      const repository = new KyselyModelRepository<TestModel>(database);
      assert.equal(await repository.insert(model('My-Model', 1732262400123)), true);
      assert.equal(await repository.insert(model('my-model', 1)), false);
      const again = new KyselyModelRepository<TestModel>(await reopen());
      assert.deepEqual(await again.get('MY-MODEL'), model('My-Model', 1732262400123));
      assert.equal(await again.delete('my-MODEL'), true);
      assert.equal(await again.delete('my-model'), false);
      assert.equal(await again.get('my-model'), undefined);
    },
  },
  {
    name: 'models: keyset pages by creation time then name, both orders, with filters',
    async run({ database }) {
      const repository = new KyselyModelRepository<TestModel>(database);
      for (const m of seeded) await repository.insert(m);
      const byTimeDesc = await listAll(repository, { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 2 });
      assert.deepEqual(byTimeDesc, { names: ['Z', 'c-model', 'b-model', 'a-1', 'A-model'], sizes: [2, 2, 1] });
      const byTimeAsc = await listAll(repository, { sortBy: 'creationTime', sortOrder: 'Ascending', maxResults: 1 });
      assert.deepEqual(byTimeAsc.names, ['A-model', 'a-1', 'b-model', 'c-model', 'Z']);
      const byName = await listAll(repository, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 3 });
      assert.deepEqual(byName, { names: ['a-1', 'A-model', 'b-model', 'c-model', 'Z'], sizes: [3, 2] });
      const byNameDesc = await listAll(repository, { sortBy: 'name', sortOrder: 'Descending', maxResults: 10 });
      assert.deepEqual(byNameDesc.names, ['Z', 'c-model', 'b-model', 'A-model', 'a-1']);
      const filtered = await listAll(repository, {
        sortBy: 'name',
        sortOrder: 'Ascending',
        maxResults: 10,
        nameContains: 'MOD',
        creationTimeAfter: 1000,
        creationTimeBefore: 5000,
      });
      assert.deepEqual(filtered.names, ['b-model', 'c-model']);
      const none = await repository.list({ sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, nameContains: '%' });
      assert.deepEqual(none, { items: [] });
    },
  },
  {
    name: 'tags: put overwrites by key, respects the limit, lists by key, case-insensitive ARN',
    async run({ database }) {
      const tags = new KyselyTagRepository(database);
      const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model/m';
      assert.equal(
        await tags.put(
          arn,
          [
            { key: 'b', value: '1' },
            { key: 'a', value: '2' },
          ],
          3,
        ),
        true,
      );
      assert.equal(await tags.put(arn.toUpperCase(), [{ key: 'b', value: 'new' }], 3), true);
      assert.equal(
        await tags.put(
          arn,
          [
            { key: 'c', value: '' },
            { key: 'd', value: '' },
          ],
          3,
        ),
        false,
      );
      assert.deepEqual(await tags.list(arn), [
        { key: 'a', value: '2' },
        { key: 'b', value: 'new' },
      ]);
      await tags.delete(arn, ['a', 'missing']);
      assert.deepEqual(await tags.list(arn), [{ key: 'b', value: 'new' }]);
      await tags.deleteAll(arn);
      assert.deepEqual(await tags.list(arn), []);
    },
  },
];

runStoreContract('SQLite models and tags', sqliteTarget, modelCases);

describe('PostgreSQL models and tags', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL models and tags', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), modelCases);
});
