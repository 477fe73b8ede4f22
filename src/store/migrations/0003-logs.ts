import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * CloudWatch Logs: groups, streams and events. Events carry an autoincrement `seq` so that paging
 * by (timestamp, seq) is stable; names compare byte-wise on both dialects (`COLLATE "C"` on
 * PostgreSQL, SQLite's default BINARY) so that name order and prefix ranges agree.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
  const idType = postgres ? 'bigserial' : 'integer';
  const byteWise = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (postgres ? c.modifyEnd(sql`collate "C"`) : c).notNull();

  await db.schema
    .createTable('log_groups')
    .addColumn('id', idType, id)
    .addColumn('name', 'varchar(512)', (c) => byteWise(c).unique())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('log_streams')
    .addColumn('id', idType, id)
    .addColumn('group_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'varchar(512)', byteWise)
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('first_event_timestamp', 'bigint')
    .addColumn('last_event_timestamp', 'bigint')
    .addColumn('last_ingestion_time', 'bigint')
    .addColumn('stored_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('log_streams_group_name', ['group_id', 'name'])
    .execute();
  await db.schema.createIndex('log_streams_last_event').on('log_streams').columns(['group_id', 'last_event_timestamp', 'name']).execute();

  await db.schema
    .createTable('log_events')
    .addColumn('seq', idType, id)
    .addColumn('group_id', 'bigint', (c) => c.notNull())
    .addColumn('stream_id', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('ingestion_time', 'bigint', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('log_events_stream_time').on('log_events').columns(['stream_id', 'timestamp', 'seq']).execute();
  await db.schema.createIndex('log_events_group_time').on('log_events').columns(['group_id', 'timestamp', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('log_events').execute();
  await db.schema.dropTable('log_streams').execute();
  await db.schema.dropTable('log_groups').execute();
}
