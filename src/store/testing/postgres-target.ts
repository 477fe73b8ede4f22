import { tmpdir } from 'node:os';
import { openDatabase } from '../database.js';
import type { StoreTarget } from '../store-contract.js';

/**
 * The PostgreSQL database at `url` (a fresh one per case: test/helpers/postgres.ts creates them).
 * Nothing to dispose: the throwaway cluster is removed as a whole.
 */
export function postgresTarget(url: string): StoreTarget {
  return { open: () => openDatabase({ database: url, dataDir: tmpdir() }) };
}
