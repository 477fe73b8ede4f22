import type { Database } from '../database.js';
import type { FileSystemsTable } from '../schema.js';

/** A registered file system as the store keeps it (mirrors src/filesystems' FileSystemRecord). */
export interface StoredFileSystem {
  readonly fileSystemId: string;
  readonly directory: string;
  readonly creationTime: number;
}

function toRecord(row: FileSystemsTable): StoredFileSystem {
  return { fileSystemId: row.file_system_id, directory: row.directory, creationTime: Number(row.creation_time) };
}

/** File systems in the `filesystems` table (implements src/filesystems' FileSystemRepository port). Ids are stored lower-cased. */
export class KyselyFileSystemRepository {
  constructor(private readonly database: Database) {}

  async get(fileSystemId: string): Promise<StoredFileSystem | undefined> {
    const row = await this.database.db.selectFrom('filesystems').selectAll().where('file_system_id', '=', fileSystemId.toLowerCase()).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Inserts or replaces the registration of `record.fileSystemId`. */
  async put(record: StoredFileSystem): Promise<void> {
    const values = { file_system_id: record.fileSystemId.toLowerCase(), directory: record.directory, creation_time: record.creationTime };
    await this.database.db
      .insertInto('filesystems')
      .values(values)
      .onConflict((oc) => oc.column('file_system_id').doUpdateSet({ directory: values.directory, creation_time: values.creation_time }))
      .execute();
  }

  async list(): Promise<StoredFileSystem[]> {
    const rows = await this.database.db.selectFrom('filesystems').selectAll().orderBy('file_system_id').execute();
    return rows.map(toRecord);
  }

  async delete(fileSystemId: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('filesystems').where('file_system_id', '=', fileSystemId.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
