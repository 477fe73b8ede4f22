import type { Kysely } from 'kysely';

/** File systems registered with `salvia filesystems add`: FileSystemId → a directory of this machine. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('filesystems')
    .addColumn('file_system_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('directory', 'text', (c) => c.notNull())
    .addColumn('creation_time', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('filesystems').execute();
}
