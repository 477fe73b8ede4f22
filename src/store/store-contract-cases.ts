import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { lockKey, type Database } from './database.js';
import { migrations } from './migrations/index.js';
import type { StoreContractCase } from './store-contract.js';

const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model/contract-model';

async function tagsOf(database: Database, resourceArn: string): Promise<Record<string, string>> {
  const rows = await database.db.selectFrom('tags').select(['tag_key', 'tag_value']).where('resource_arn', '=', resourceArn).orderBy('tag_key').execute();
  return Object.fromEntries(rows.map((row) => [row.tag_key, row.tag_value]));
}

/** Scratch tables only the contract creates, to check the dialect's types beyond the real schema. */
type ScratchTables = {
  contract_numbers: { id: number; at: number };
  contract_counter: { id: number; n: number };
};

function scratch(database: Database) {
  return database.db.withTables<ScratchTables>();
}

/** The behaviours the metadata store guarantees on every dialect. */
export const coreStoreCases: readonly StoreContractCase[] = [
  {
    name: 'migrations apply once: opening the same database again changes nothing and keeps the data',
    async run({ database, reopen }) {
      await database.db.insertInto('tags').values({ resource_arn: arn, tag_key: 'k', tag_value: 'v' }).execute();
      const again = await reopen();
      const third = await reopen();
      assert.deepEqual(await tagsOf(third, arn), { k: 'v' });
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again.db);
      assert.deepEqual(
        applied.rows.map((row) => row.name),
        Object.keys(migrations).sort(),
      );
    },
  },
  {
    name: 'tags round trip: insert, list, overwrite the same key, delete; keys are case-sensitive',
    async run({ database }) {
      const { db } = database;
      await db
        .insertInto('tags')
        .values([
          { resource_arn: arn, tag_key: 'team', tag_value: 'ml' },
          { resource_arn: arn, tag_key: 'Team', tag_value: 'ML' },
          { resource_arn: `${arn}-other`, tag_key: 'team', tag_value: 'other' },
        ])
        .execute();
      assert.deepEqual(await tagsOf(database, arn), { Team: 'ML', team: 'ml' });
      await db
        .insertInto('tags')
        .values({ resource_arn: arn, tag_key: 'team', tag_value: 'platform' })
        .onConflict((oc) => oc.columns(['resource_arn', 'tag_key']).doUpdateSet({ tag_value: (eb) => eb.ref('excluded.tag_value') }))
        .execute();
      assert.deepEqual(await tagsOf(database, arn), { Team: 'ML', team: 'platform' });
      const deleted = await db.deleteFrom('tags').where('resource_arn', '=', arn).where('tag_key', 'in', ['Team', 'absent']).executeTakeFirst();
      assert.equal(Number(deleted.numDeletedRows), 1);
      assert.deepEqual(await tagsOf(database, arn), { team: 'platform' });
      assert.deepEqual(await tagsOf(database, `${arn}-other`), { team: 'other' });
    },
  },
  {
    name: 'a primary-key conflict is an error, not a silent overwrite',
    async run({ database }) {
      const row = { resource_arn: arn, tag_key: 'k', tag_value: 'first' };
      await database.db.insertInto('tags').values(row).execute();
      await assert.rejects(
        database.db
          .insertInto('tags')
          .values({ ...row, tag_value: 'second' })
          .execute(),
      );
      assert.deepEqual(await tagsOf(database, arn), { k: 'first' });
    },
  },
  {
    name: 'a transaction that throws leaves nothing behind; one that commits keeps everything',
    async run({ database }) {
      const failure = new Error('boom');
      await assert.rejects(
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('tags').values({ resource_arn: arn, tag_key: 'a', tag_value: '1' }).execute();
          await trx.updateTable('tags').set({ tag_value: '2' }).where('tag_key', '=', 'a').execute();
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.deepEqual(await tagsOf(database, arn), {});
      await database.db.transaction().execute(async (trx) => {
        await trx.insertInto('tags').values({ resource_arn: arn, tag_key: 'a', tag_value: '1' }).execute();
        await trx.insertInto('tags').values({ resource_arn: arn, tag_key: 'b', tag_value: '2' }).execute();
      });
      assert.deepEqual(await tagsOf(database, arn), { a: '1', b: '2' });
    },
  },
  {
    name: 'concurrent writers lose no update: parallel transactions, upserts, increments, read-modify-write under lockKey',
    async run({ database }) {
      const { db } = database;
      const writers = 20;
      await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          db.transaction().execute(async (trx) => {
            for (let i = 0; i < 5; i++)
              await trx
                .insertInto('tags')
                .values({ resource_arn: arn, tag_key: `w${w}-${i}`, tag_value: String(w) })
                .execute();
          }),
        ),
      );
      assert.equal(Object.keys(await tagsOf(database, arn)).length, writers * 5);

      const shared = `${arn}-shared`;
      await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          db
            .insertInto('tags')
            .values({ resource_arn: shared, tag_key: 'k', tag_value: String(w) })
            .onConflict((oc) => oc.columns(['resource_arn', 'tag_key']).doUpdateSet({ tag_value: (eb) => eb.ref('excluded.tag_value') }))
            .execute(),
        ),
      );
      const last = await tagsOf(database, shared);
      assert.deepEqual(Object.keys(last), ['k']);
      assert.ok(Number(last['k']) >= 0 && Number(last['k']) < writers);

      const counter = scratch(database);
      await counter.schema
        .createTable('contract_counter')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .execute();
      await counter.insertInto('contract_counter').values({ id: 1, n: 0 }).execute();
      const increments = 50;
      await Promise.all(
        Array.from({ length: increments }, () =>
          counter.transaction().execute(async (trx) => {
            await trx
              .updateTable('contract_counter')
              .set((eb) => ({ n: eb('n', '+', 1) }))
              .where('id', '=', 1)
              .execute();
          }),
        ),
      );
      const row = await counter.selectFrom('contract_counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
      assert.equal(row.n, increments);

      // Read, compute in JavaScript, write back: only safe under lockKey (no atomic SQL to lean on).
      await Promise.all(
        Array.from({ length: increments }, () =>
          counter.transaction().execute(async (trx) => {
            await lockKey(trx, database.dialect, 'contract-counter');
            const current = await trx.selectFrom('contract_counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
            await trx
              .updateTable('contract_counter')
              .set({ n: current.n + 1 })
              .where('id', '=', 1)
              .execute();
          }),
        ),
      );
      const after = await counter.selectFrom('contract_counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
      assert.equal(after.n, 2 * increments);
    },
  },
  {
    name: 'epoch milliseconds in bigint columns come back as numbers, beyond 2^31 and 2^32 too',
    async run({ database }) {
      const db = scratch(database);
      await db.schema
        .createTable('contract_numbers')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      const values = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 1_764_000_000_123, 4_102_444_800_000, Number.MAX_SAFE_INTEGER];
      await db
        .insertInto('contract_numbers')
        .values(values.map((at, id) => ({ id, at })))
        .execute();
      const rows = await db.selectFrom('contract_numbers').select(['id', 'at']).orderBy('id').execute();
      for (const row of rows) assert.equal(typeof row.at, 'number', `row ${row.id}: ${typeof row.at}`);
      assert.deepEqual(
        rows.map((row) => row.at),
        values,
      );
      const later = await db
        .selectFrom('contract_numbers')
        .select('id')
        .where('at', '>', 2 ** 31)
        .orderBy('at')
        .execute();
      assert.deepEqual(
        later.map((row) => row.id),
        [5, 6, 7, 8],
      );
      const { count } = await db
        .selectFrom('contract_numbers')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      assert.equal(count, values.length);
      const newest = await db
        .selectFrom('contract_numbers')
        .select((eb) => eb.fn.max('at').as('newest'))
        .executeTakeFirstOrThrow();
      assert.equal(newest.newest, Number.MAX_SAFE_INTEGER);
    },
  },
  {
    name: 'unicode text round-trips exactly, and a 128-character key of 4-byte characters fits varchar(128)',
    async run({ database }) {
      const texts = ['日本語のタグ', 'emoji 🚀👩‍👩‍👧', 'Ünïcödé e\u0301', 'עברית', 'ελληνικά', 'key with  spaces', '🚀'.repeat(128)];
      await database.db
        .insertInto('tags')
        .values(texts.map((text, i) => ({ resource_arn: arn, tag_key: text, tag_value: `${i}:${text.slice(0, 200)}` })))
        .execute();
      const stored = await tagsOf(database, arn);
      assert.deepEqual(Object.keys(stored).sort(), [...texts].sort());
      for (const [i, text] of texts.entries()) assert.equal(stored[text], `${i}:${text.slice(0, 200)}`);
      const one = await database.db.selectFrom('tags').select('tag_value').where('tag_key', '=', 'emoji 🚀👩‍👩‍👧').executeTakeFirstOrThrow();
      assert.equal(one.tag_value, '1:emoji 🚀👩‍👩‍👧');
    },
  },
];
