import type { Kysely } from 'kysely';

/**
 * SageMaker endpoint configurations and endpoints: names, ARNs, times (epoch ms), the endpoint's
 * status, and the rest as a JSON document.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('endpoint_configs')
    .addColumn('name_lower', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(63)', (c) => c.notNull())
    .addColumn('arn', 'varchar(2048)', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('endpoint_configs_creation_time').on('endpoint_configs').columns(['creation_time', 'name_lower']).execute();
  await db.schema
    .createTable('endpoints')
    .addColumn('name_lower', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(63)', (c) => c.notNull())
    .addColumn('arn', 'varchar(2048)', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('last_modified_time', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('endpoints_creation_time').on('endpoints').columns(['creation_time', 'name_lower']).execute();
  await db.schema.createIndex('endpoints_status').on('endpoints').columns(['status', 'name_lower']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('endpoints').execute();
  await db.schema.dropTable('endpoint_configs').execute();
}
