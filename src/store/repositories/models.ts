import type { Database } from '../database.js';
import type { ModelsTable } from '../schema.js';
import { listPage, type PageRequest, type RowPage } from './list-page.js';
import { namedDocumentColumns, insertWithTags, recordPage, namedRecord, namedRow, type StoredNamedResource } from './document-rows.js';
import type { TagRow } from './tags.js';

/** What the store needs of a model record; the rest is kept as a JSON document. */
export type StoredModel = StoredNamedResource;

/**
 * Models in the `models` table: name, ARN and creation time as columns, everything else as a JSON
 * document. Implements src/models' ModelRepository port; names match case-insensitively.
 */
export class KyselyModelRepository<T extends StoredModel = StoredModel> {
  constructor(private readonly database: Database) {}

  /** Stores a new model and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return insertWithTags(this.database, record.arn, tags, (trx) =>
      trx
        .insertInto('models')
        .values(namedRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst(),
    );
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('models').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? namedRecord<T>(row) : undefined;
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: RowPage<ModelsTable>['next'] }> {
    const page = await listPage(this.database, this.database.db.selectFrom('models').selectAll(), request, namedDocumentColumns);
    return recordPage(page, (row) => namedRecord<T>(row));
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('models').where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
