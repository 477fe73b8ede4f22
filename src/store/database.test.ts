import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { postgresSkipReason, sharedPostgres, stopSharedPostgres } from '../../test/helpers/postgres.js';
import { DatabaseOpenError, openDatabase, parseInt8, redactConnectionString } from './database.js';
import { unusedPort } from '../../test/helpers/free-port.js';

describe('openDatabase', () => {
  it('names an unreachable PostgreSQL server without printing its password', async () => {
    const port = await unusedPort();
    await assert.rejects(openDatabase({ database: `postgres://salvia:hunter2@127.0.0.1:${port}/meta`, dataDir: tmpdir() }), (error: unknown) => {
      assert.ok(error instanceof DatabaseOpenError);
      assert.match(error.message, new RegExp(`^cannot reach PostgreSQL at postgres://salvia:\\*\\*\\*@127\\.0\\.0\\.1:${port}/meta: .*ECONNREFUSED`));
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  it('rejects an unknown scheme with the accepted forms', async () => {
    await assert.rejects(
      openDatabase({ database: 'mysql://u:pw@db/x', dataDir: tmpdir() }),
      /unsupported database "mysql:\/\/u:\*\*\*@db\/x": use "sqlite", "sqlite:<file>" or a postgres:\/\/ URL/,
    );
  });

  it('opens sqlite:<file> at that path, creating its directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'salvia-db-'));
    try {
      const database = await openDatabase({ database: `sqlite:${path.join(dir, 'nested', 'meta.db')}`, dataDir: '/nonexistent' });
      assert.equal(database.dialect, 'sqlite');
      await database.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so when a SQLite file cannot be created', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'salvia-db-'));
    try {
      const notADirectory = path.join(dir, 'plain-file');
      await writeFile(notADirectory, '');
      const file = path.join(notADirectory, 'meta.db');
      await assert.rejects(
        openDatabase({ database: `sqlite:${file}`, dataDir: tmpdir() }),
        (error: unknown) => error instanceof DatabaseOpenError && error.message.startsWith(`cannot open SQLite database ${file}: `),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseInt8', () => {
  it('parses every safe integer and refuses to round a larger one', () => {
    assert.equal(parseInt8('4102444800000'), 4_102_444_800_000);
    assert.equal(parseInt8('-9007199254740991'), -Number.MAX_SAFE_INTEGER);
    assert.throws(() => parseInt8('9007199254740993'), RangeError);
  });
});

describe('redactConnectionString', () => {
  it('hides only the password', () => {
    assert.equal(redactConnectionString('postgresql://me:s3cr%40t@db.example:5432/x?sslmode=require'), 'postgresql://me:***@db.example:5432/x?sslmode=require');
    assert.equal(redactConnectionString('postgres://me@db/x'), 'postgres://me@db/x');
  });
});

describe('openDatabase on PostgreSQL', { skip: postgresSkipReason() ?? false }, () => {
  after(stopSharedPostgres);

  it('names a database that does not exist', async () => {
    const cluster = await sharedPostgres();
    await assert.rejects(
      openDatabase({ database: cluster.url('no_such_db'), dataDir: tmpdir() }),
      /cannot reach PostgreSQL at .*\/no_such_db: database "no_such_db" does not exist/,
    );
  });

  it('returns dialect postgres and closes cleanly', async () => {
    const cluster = await sharedPostgres();
    const database = await openDatabase({ database: await cluster.createDatabase(), dataDir: tmpdir() });
    assert.equal(database.dialect, 'postgres');
    await database.close();
  });

  it('survives PostgreSQL dropping a connection that is checked out: the query fails, the process lives on', async () => {
    const cluster = await sharedPostgres();
    const url = await cluster.createDatabase();
    const database = await openDatabase({ database: url, dataDir: tmpdir() });
    try {
      await database.db.connection().execute(async (connection) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
        await admin.end();
        await assert.rejects(sql`select 1`.execute(connection), /terminat|Connection/i);
      });
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      assert.equal(rows[0]?.one, 1);
    } finally {
      await database.close();
    }
  });

  it('survives PostgreSQL dropping its connections (a server restart) and reconnects', async () => {
    const cluster = await sharedPostgres();
    const url = await cluster.createDatabase();
    const database = await openDatabase({ database: url, dataDir: tmpdir() });
    try {
      await Promise.all([sql`select pg_sleep(0.05)`.execute(database.db), sql`select pg_sleep(0.05)`.execute(database.db)]);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const { rows } = await admin.query<{ killed: boolean }>(
        'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      await admin.end();
      assert.ok(rows.length >= 2 && rows.every((row) => row.killed), `terminated ${rows.length} idle connections`);
      // An idle connection that breaks is an 'error' event on the pool; unhandled, it would crash
      // this process. A query may still pick a dead connection once; within a few it must succeed.
      let answer: unknown;
      for (let attempt = 0; attempt < 5 && answer === undefined; attempt++) {
        answer = await sql<{ one: number }>`select 1 as one`.execute(database.db).then(
          (result) => result.rows[0]?.one,
          (error: unknown) => assert.match(String(error), /terminat|Connection/i),
        );
      }
      assert.equal(answer, 1);
    } finally {
      await database.close();
    }
  });
});
