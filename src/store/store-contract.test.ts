import { after, describe } from 'node:test';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../test/helpers/postgres.js';
import { coreStoreCases } from './store-contract-cases.js';
import { runStoreContract, type StoreContractCase } from './store-contract.js';
import { postgresTarget, sqliteTarget } from './testing/index.js';

/** Every case, on every dialect. A repository adds its list of cases here. */
const cases: readonly StoreContractCase[] = [...coreStoreCases];

runStoreContract('SQLite', sqliteTarget, cases);

describe('PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);
  runStoreContract('PostgreSQL', async () => postgresTarget(await (await sharedPostgres()).createDatabase()), cases);
});
