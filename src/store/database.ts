import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';

export interface DatabaseConfig {
  /** `sqlite` (a file in `dataDir`), `sqlite:<path>`, or a `postgres://` connection string. */
  readonly database: string;
  readonly dataDir: string;
}

/** An open metadata database with its schema migrated to the latest version. */
export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

function sqlitePath(config: DatabaseConfig): string {
  if (config.database === 'sqlite') return path.join(config.dataDir, 'salvia.db');
  return path.resolve(config.database.slice('sqlite:'.length));
}

/**
 * Opens the metadata database named by the configuration and applies pending migrations.
 * SQLite runs in WAL mode so that every acknowledged write survives a crash of the server.
 * Throws if the database cannot be reached or a migration fails.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  let db: Kysely<Schema>;
  let dialect: Database['dialect'];
  if (config.database === 'sqlite' || config.database.startsWith('sqlite:')) {
    const file = sqlitePath(config);
    mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
  } else if (/^postgres(ql)?:\/\//.test(config.database)) {
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.database, max: 10 }) }) });
    dialect = 'postgres';
  } else {
    throw new Error(`unsupported database "${config.database}": use "sqlite", "sqlite:<file>" or a postgres:// URL`);
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error('database migration failed', { cause: error });
  }
  return { db, dialect, close: () => db.destroy() };
}
