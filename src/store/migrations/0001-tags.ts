import type { Kysely } from 'kysely';

/** Tags of every SageMaker resource, keyed by the resource's lower-cased ARN. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tags')
    .addColumn('resource_arn', 'varchar(2048)', (c) => c.notNull())
    .addColumn('tag_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('tag_value', 'varchar(256)', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'tag_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tags').execute();
}
