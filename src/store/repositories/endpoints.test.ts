import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { pageNames as names, postgresTarget, sqliteTarget } from '../testing/index.js';
import { KyselyEndpointConfigRepository, type StoredEndpointConfig } from './endpoint-configs.js';
import { KyselyEndpointRepository, type StoredEndpoint } from './endpoints.js';
import type { PageRequest } from './list-page.js';
import { KyselyTagRepository } from './tags.js';

interface TestConfig extends StoredEndpointConfig {
  readonly productionVariants: ReadonlyArray<{ readonly variantName: string; readonly initialVariantWeight: number }>;
}

interface TestEndpoint extends StoredEndpoint {
  readonly endpointConfigName: string;
  readonly failureReason?: string;
}

const config = (name: string, creationTime: number): TestConfig => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${name.toLowerCase()}`,
  creationTime,
  productionVariants: [{ variantName: 'AllTraffic', initialVariantWeight: 0.5 }],
});

const endpoint = (name: string, creationTime: number, status: string, lastModifiedTime = creationTime): TestEndpoint => ({
  name,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${name.toLowerCase()}`,
  creationTime,
  lastModifiedTime,
  status,
  endpointConfigName: `${name}-config`,
});

const cases: StoreContractCase[] = [
  {
    name: 'endpoint configs: insert with tags, get case-insensitively, refuse a duplicate, page, delete',
    async run({ database, reopen }) {
      const repository = new KyselyEndpointConfigRepository<TestConfig>(database);
      const tags = new KyselyTagRepository(database);
      assert.equal(await repository.insert(config('My-Config', 1732262400123), [{ key: 'team', value: 'ml' }]), true);
      assert.equal(await repository.insert(config('my-config', 1), [{ key: 'other', value: 'x' }]), false);
      assert.deepEqual(await tags.list(config('My-Config', 0).arn), [{ key: 'team', value: 'ml' }]);
      const again = new KyselyEndpointConfigRepository<TestConfig>(await reopen());
      assert.deepEqual(await again.get('MY-CONFIG'), config('My-Config', 1732262400123));
      await again.insert(config('b', 3000));
      await again.insert(config('a', 3000));
      await again.insert(config('z-cfg', 5000));
      const list = (request: PageRequest): ReturnType<typeof again.list> => again.list(request);
      assert.deepEqual(await names(list, { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 1 }), ['My-Config', 'z-cfg', 'b', 'a']);
      assert.deepEqual(await names(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 2, nameContains: 'CFG' }), ['z-cfg']);
      assert.deepEqual(await names(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 2, creationTimeBefore: 4000 }), ['a', 'b']);
      assert.equal(await again.delete('MY-config'), true);
      assert.equal(await again.delete('my-config'), false);
      assert.equal(await again.get('my-config'), undefined);
    },
  },
  {
    name: 'endpoints: insert, compare-and-set on status, find by status, delete only from expected statuses',
    async run({ database, reopen }) {
      const repository = new KyselyEndpointRepository<TestEndpoint>(database);
      assert.equal(await repository.insert(endpoint('My-Endpoint', 1732262400123, 'Creating'), [{ key: 'k', value: 'v' }]), true);
      assert.equal(await repository.insert(endpoint('my-endpoint', 1, 'Creating')), false);
      const failed = { ...endpoint('My-Endpoint', 1732262400123, 'Failed', 1732262409999), failureReason: 'no ping' };
      assert.equal(await repository.replace(failed, ['InService']), false);
      assert.equal(await repository.replace(failed, ['Creating', 'Updating']), true);
      assert.equal(await repository.replace(endpoint('ghost', 1, 'Failed'), ['Creating']), false);
      const again = new KyselyEndpointRepository<TestEndpoint>(await reopen());
      assert.deepEqual(await again.get('MY-ENDPOINT'), failed);
      await again.insert(endpoint('b', 5, 'InService'));
      await again.insert(endpoint('a', 6, 'Updating'));
      assert.deepEqual(
        (await again.withStatus(['InService', 'Updating'])).map((e) => e.name),
        ['b', 'a'],
      );
      assert.equal(await again.delete('my-endpoint', ['Deleting']), false);
      assert.equal(await again.delete('my-endpoint', ['Failed']), true);
      assert.equal(await again.get('my-endpoint'), undefined);
    },
  },
  {
    name: 'endpoints: pages by creation time, name and status with StatusEquals and time filters',
    async run({ database }) {
      const repository = new KyselyEndpointRepository<TestEndpoint>(database);
      for (const e of [
        endpoint('b-ep', 3000, 'Failed', 9000),
        endpoint('A-ep', 1000, 'InService', 4000),
        endpoint('c-ep', 3000, 'Creating', 3000),
        endpoint('z', 5000, 'InService', 6000),
      ])
        await repository.insert(e);
      const list = (request: PageRequest): ReturnType<typeof repository.list> => repository.list(request);
      assert.deepEqual(await names(list, { sortBy: 'creationTime', sortOrder: 'Descending', maxResults: 1 }), ['z', 'c-ep', 'b-ep', 'A-ep']);
      assert.deepEqual(await names(list, { sortBy: 'status', sortOrder: 'Ascending', maxResults: 2 }), ['c-ep', 'b-ep', 'A-ep', 'z']);
      assert.deepEqual(await names(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, statusEquals: 'InService' }), ['A-ep', 'z']);
      assert.deepEqual(await names(list, { sortBy: 'name', sortOrder: 'Ascending', maxResults: 10, lastModifiedTimeAfter: 4000, nameContains: 'EP' }), [
        'b-ep',
      ]);
    },
  },
];

runStoreContract('SQLite endpoint configs and endpoints', sqliteTarget, cases);

describe('PostgreSQL endpoint configs and endpoints', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL endpoint configs and endpoints', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
