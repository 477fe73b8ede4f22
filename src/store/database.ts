import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type QueryExecutorProvider } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';

export interface DatabaseConfig {
  /** `sqlite` (a file in `dataDir`), `sqlite:<path>`, or a `postgres://` / `postgresql://` connection string. */
  readonly database: string;
  readonly dataDir: string;
}

/** An open metadata database with its schema migrated to the latest version. */
export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** Thrown when the metadata database cannot be opened, reached or migrated; the message says which. */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}

/** PostgreSQL's `int8` (`bigint`) type, which node-postgres returns as a string by default. */
const INT8_OID = 20;

/**
 * Parses an `int8` value to a number. Every bigint column holds epoch milliseconds, counts or sizes,
 * all far below 2^53; a value that would lose precision throws rather than silently changing.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint value ${text} does not fit in a JavaScript number`);
  return value;
}

/** Type parsers of our pool only (not node-postgres's global table): int8 → number. */
const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

function sqlitePath(config: DatabaseConfig): string {
  if (config.database === 'sqlite') return path.join(config.dataDir, 'salvia.db');
  return path.resolve(config.database.slice('sqlite:'.length));
}

/** The connection string without its password, for error messages. */
export function redactConnectionString(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

function openSqlite(config: DatabaseConfig): Kysely<Schema> {
  const file = sqlitePath(config);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    // In WAL mode, NORMAL keeps every committed transaction across a crash (kill -9) of the
    // server; only a power cut may lose the last few commits.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    return new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  } catch (error) {
    throw new DatabaseOpenError(`cannot open SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function openPostgres(config: DatabaseConfig): Promise<Kysely<Schema>> {
  const pool = new pg.Pool({ connectionString: config.database, max: 10, connectionTimeoutMillis: 10_000, types: pgTypeParsers });
  // A connection that breaks (server restart, network) must not crash the process. Idle, the
  // pool reports it here and drops it; checked out, the client itself emits 'error' (besides
  // failing its query), and an unhandled 'error' event would kill the server.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
    throw new DatabaseOpenError(`cannot reach PostgreSQL at ${redactConnectionString(config.database)}: ${reason}`, { cause: error });
  }
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens the metadata database named by the configuration and applies pending migrations
 * (idempotent: opening an up-to-date database changes nothing).
 * SQLite runs in WAL mode with synchronous commits so that every acknowledged write survives a crash.
 * On PostgreSQL, `bigint` columns come back as numbers (see README.md in this folder).
 * Throws DatabaseOpenError if the database cannot be opened or reached or a migration fails.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  let db: Kysely<Schema>;
  let dialect: Database['dialect'];
  if (config.database === 'sqlite' || config.database.startsWith('sqlite:')) {
    db = openSqlite(config);
    dialect = 'sqlite';
  } else if (/^postgres(ql)?:\/\//.test(config.database)) {
    db = await openPostgres(config);
    dialect = 'postgres';
  } else {
    throw new DatabaseOpenError(`unsupported database "${redactConnectionString(config.database)}": use "sqlite", "sqlite:<file>" or a postgres:// URL`);
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseOpenError(`database migration failed: ${reason}`, { cause: error });
  }
  return { db, dialect, close: () => db.destroy() };
}

/**
 * Makes concurrent transactions that call this with the same `key` run one after the other, so that
 * a read-check-write (e.g. "at most 50 tags per resource") cannot race. Call it first inside the
 * transaction; the lock is released at commit or rollback. On PostgreSQL this is a transaction-scoped
 * advisory lock on a hash of the key (READ COMMITTED would otherwise let two such transactions both
 * pass the check); on SQLite it does nothing, because the single connection already runs
 * transactions one at a time.
 */
export async function lockKey(trx: QueryExecutorProvider, dialect: Database['dialect'], key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
