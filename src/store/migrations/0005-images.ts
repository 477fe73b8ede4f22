import type { Kysely } from 'kysely';

/** User images registered with `salvia images add`: repository name → directory (and entrypoint). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('images')
    .addColumn('repository', 'varchar(256)', (c) => c.primaryKey())
    .addColumn('directory', 'text', (c) => c.notNull())
    .addColumn('entrypoint', 'text')
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('images').execute();
}
