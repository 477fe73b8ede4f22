import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../../test/helpers/postgres.js';
import { runStoreContract, type StoreContractCase } from '../store-contract.js';
import { postgresTarget, sqliteTarget } from '../testing/index.js';
import { KyselyFileSystemRepository } from './filesystems.js';

const fileSystemCases: StoreContractCase[] = [
  {
    name: 'filesystems: put, replace, get case-insensitively, list by id, delete',
    async run({ database, reopen }) {
      const repository = new KyselyFileSystemRepository(database);
      await repository.put({ fileSystemId: 'fs-0123abcd', directory: '/a', creationTime: 1732262400123 });
      await repository.put({ fileSystemId: 'FS-0123ABCD', directory: '/b', creationTime: 2 });
      await repository.put({ fileSystemId: 'fs-00000000ff', directory: '/c', creationTime: 3 });
      const again = new KyselyFileSystemRepository(await reopen());
      assert.deepEqual(await again.get('FS-0123abcd'), { fileSystemId: 'fs-0123abcd', directory: '/b', creationTime: 2 });
      assert.deepEqual(
        (await again.list()).map((f) => f.fileSystemId),
        ['fs-00000000ff', 'fs-0123abcd'],
      );
      assert.equal(await again.delete('fs-0123abcd'), true);
      assert.equal(await again.delete('fs-0123abcd'), false);
      assert.equal(await again.get('fs-0123abcd'), undefined);
      assert.equal((await again.list()).length, 1);
    },
  },
];

runStoreContract('SQLite filesystems', sqliteTarget, fileSystemCases);

describe('PostgreSQL filesystems', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL filesystems', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), fileSystemCases);
});
