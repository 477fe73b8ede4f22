import type { Database } from '../database.js';
import type { ImagesTable } from '../schema.js';

/** A registered user image as the store keeps it (mirrors src/images' UserImageRecord). */
export interface StoredImage {
  readonly repository: string;
  readonly directory: string;
  readonly entrypoint?: string;
  readonly creationTime: number;
}

function toRecord(row: ImagesTable): StoredImage {
  return {
    repository: row.repository,
    directory: row.directory,
    ...(row.entrypoint !== null ? { entrypoint: row.entrypoint } : {}),
    creationTime: Number(row.creation_time),
  };
}

/** User images in the `images` table (implements src/images' ImageRepository port). Repository names are stored lower-cased. */
export class KyselyImageRepository {
  constructor(private readonly database: Database) {}

  async get(repository: string): Promise<StoredImage | undefined> {
    const row = await this.database.db.selectFrom('images').selectAll().where('repository', '=', repository.toLowerCase()).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async put(record: StoredImage): Promise<void> {
    const values = {
      repository: record.repository.toLowerCase(),
      directory: record.directory,
      entrypoint: record.entrypoint ?? null,
      creation_time: record.creationTime,
    };
    await this.database.db
      .insertInto('images')
      .values(values)
      .onConflict((oc) =>
        oc.column('repository').doUpdateSet({ directory: values.directory, entrypoint: values.entrypoint, creation_time: values.creation_time }),
      )
      .execute();
  }

  async list(): Promise<StoredImage[]> {
    const rows = await this.database.db.selectFrom('images').selectAll().orderBy('repository').execute();
    return rows.map(toRecord);
  }

  async delete(repository: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('images').where('repository', '=', repository.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
