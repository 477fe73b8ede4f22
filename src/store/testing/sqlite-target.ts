import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../database.js';
import type { StoreTarget } from '../store-contract.js';

/** A SQLite database in a new temp directory (the server's default `sqlite` setting); disposing removes it. */
export async function sqliteTarget(): Promise<StoreTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'salvia-store-'));
  return {
    open: () => openDatabase({ database: 'sqlite', dataDir }),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}
