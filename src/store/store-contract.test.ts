import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../test/helpers/postgres.js';
import { coreStoreCases } from './store-contract-cases.js';
import { repositoryConcurrencyCases } from './store-contract-concurrency-cases.js';
import { runStoreContract, type StoreContractCase } from './store-contract.js';
import { postgresTarget, sqliteTarget } from './testing/index.js';

/**
 * Every case, on every dialect. A repository adds its list of cases here (or runs runStoreContract
 * with its own list, as repositories/models.test.ts does).
 */
const cases: readonly StoreContractCase[] = [...coreStoreCases, ...repositoryConcurrencyCases];

runStoreContract('SQLite', sqliteTarget, cases);

describe('PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
