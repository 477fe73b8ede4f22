import type { Kysely } from 'kysely';

/** SageMaker models: name, ARN, creation time (epoch ms) and the rest as a JSON document. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('models')
    .addColumn('name_lower', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(63)', (c) => c.notNull())
    .addColumn('arn', 'varchar(2048)', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('models_creation_time').on('models').columns(['creation_time', 'name_lower']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('models').execute();
}
