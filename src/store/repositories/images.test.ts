import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { postgresTarget, sqliteTarget } from '../testing/index.js';
import { KyselyImageRepository } from './images.js';

const imageCases: StoreContractCase[] = [
  {
    name: 'images: put, replace, get case-insensitively, list by name, delete',
    async run({ database, reopen }) {
      const repository = new KyselyImageRepository(database);
      await repository.put({ repository: 'team/algo', directory: '/a', creationTime: 1732262400123 });
      await repository.put({ repository: 'Team/Algo', directory: '/b', entrypoint: '/b/run', creationTime: 2 });
      await repository.put({ repository: 'alpha', directory: '/c', creationTime: 3 });
      const again = new KyselyImageRepository(await reopen());
      assert.deepEqual(await again.get('TEAM/ALGO'), { repository: 'team/algo', directory: '/b', entrypoint: '/b/run', creationTime: 2 });
      assert.deepEqual(
        (await again.list()).map((i) => i.repository),
        ['alpha', 'team/algo'],
      );
      assert.equal(await again.delete('team/algo'), true);
      assert.equal(await again.delete('team/algo'), false);
      assert.equal(await again.get('team/algo'), undefined);
    },
  },
];

runStoreContract('SQLite images', sqliteTarget, imageCases);

describe('PostgreSQL images', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL images', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), imageCases);
});
