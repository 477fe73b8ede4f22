import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * Training metrics: one row per sample of a MetricDefinitions metric, keyed by the lower-cased job
 * name. `seq` (autoincrement) orders samples of equal timestamp; values are double precision
 * (a JS number on both dialects).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('training_metrics')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', id)
    .addColumn('job_name_lower', 'varchar(255)', (c) => c.notNull())
    .addColumn('metric_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('training_metrics_job_metric_time')
    .on('training_metrics')
    .columns(['job_name_lower', 'metric_name', 'timestamp', 'seq'])
    .execute();
  await db.schema.createIndex('training_metrics_job_time').on('training_metrics').columns(['job_name_lower', 'timestamp', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('training_metrics').execute();
}
