import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from './database.js';
import { coreStoreCases } from './store-contract-cases.js';

/** One place a database lives (a temp file, a fresh PostgreSQL database) that can be opened repeatedly. */
export interface StoreTarget {
  /** Opens and migrates the target's database; each call returns a new connection to the same data. */
  open(): Promise<Database>;
  /** Frees what the target holds (files, the database); called after every case. */
  dispose?(): Promise<void>;
}

/** What a contract case gets: the target opened once, and a way to open it again. */
export interface StoreCaseContext {
  readonly database: Database;
  /** Opens the same data once more (closed by the suite after the case). */
  reopen(): Promise<Database>;
}

/** One behaviour every store dialect must show. Repositories add lists of these. */
export interface StoreContractCase {
  readonly name: string;
  /** A known defect: the case runs and reports, but does not fail the suite. Say what is wrong and whose fix it awaits. */
  readonly todo?: string;
  run(context: StoreCaseContext): Promise<void>;
}

/**
 * Registers (with node:test) every case against one dialect: each case gets a fresh target from
 * `newTarget`, opened and migrated; everything the case opened is closed and the target disposed
 * afterwards, also when the case fails. Defaults to the core cases (migrations, tags, transactions,
 * concurrency, numbers, text); pass `[...coreStoreCases, ...yourCases]` to extend.
 */
export function runStoreContract(label: string, newTarget: () => Promise<StoreTarget>, cases: readonly StoreContractCase[] = coreStoreCases): void {
  assert.ok(new Set(cases.map((c) => c.name)).size === cases.length, 'store contract case names must be unique');
  describe(`store contract: ${label}`, () => {
    for (const contractCase of cases) {
      it(contractCase.name, contractCase.todo === undefined ? {} : { todo: contractCase.todo }, async () => {
        const target = await newTarget();
        const opened: Database[] = [];
        try {
          const database = await target.open();
          opened.push(database);
          await contractCase.run({
            database,
            async reopen() {
              const again = await target.open();
              opened.push(again);
              return again;
            },
          });
        } finally {
          for (const database of opened.reverse()) await database.close();
          await target.dispose?.();
        }
      });
    }
  });
}
