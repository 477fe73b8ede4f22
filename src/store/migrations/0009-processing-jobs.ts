import type { Kysely } from 'kysely';

/** SageMaker processing jobs: name, ARN, times (epoch ms), status and the rest as a JSON document. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('processing_jobs')
    .addColumn('name_lower', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(63)', (c) => c.notNull())
    .addColumn('arn', 'varchar(2048)', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_modified_time', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('processing_jobs_creation_time').on('processing_jobs').columns(['creation_time', 'name_lower']).execute();
  await db.schema.createIndex('processing_jobs_status').on('processing_jobs').columns(['status', 'name_lower']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('processing_jobs').execute();
}
