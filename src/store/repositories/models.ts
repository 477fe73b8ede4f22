import type { Database } from '../database.js';
import type { ModelsTable } from '../schema.js';
import { listPage, type PageRequest, type RowPage } from './list-page.js';
import { replaceTags, type TagRow } from './tags.js';

/** What the store needs of a model record; the rest is kept as a JSON document. */
export interface StoredModel {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
}

function toRecord<T extends StoredModel>(row: ModelsTable): T {
  return { ...(JSON.parse(row.document) as object), name: row.name, arn: row.arn, creationTime: Number(row.creation_time) } as T;
}

/**
 * Models in the `models` table: name, ARN and creation time as columns, everything else as a JSON
 * document. Implements src/models' ModelRepository port; names match case-insensitively.
 */
export class KyselyModelRepository<T extends StoredModel = StoredModel> {
  constructor(private readonly database: Database) {}

  /** Stores a new model and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    const { name, arn, creationTime, ...rest } = record;
    return this.database.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('models')
        .values({ name_lower: name.toLowerCase(), name, arn, creation_time: creationTime, document: JSON.stringify(rest) })
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await replaceTags(trx, arn, tags);
      return true;
    });
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('models').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? toRecord<T>(row) : undefined;
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: RowPage<ModelsTable>['next'] }> {
    const page = await listPage(this.database, this.database.db.selectFrom('models').selectAll(), request, {
      nameLower: 'name_lower',
      creationTime: 'creation_time',
      sortColumns: { name: 'name_lower', creationTime: 'creation_time' },
    });
    return page.next ? { items: page.rows.map((row) => toRecord<T>(row)), next: page.next } : { items: page.rows.map((row) => toRecord<T>(row)) };
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('models').where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
