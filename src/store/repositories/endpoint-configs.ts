import type { Database } from '../database.js';
import { listPage, type PageRequest } from './list-page.js';
import { namedDocumentColumns, insertWithTags, recordPage, namedRecord, namedRow, type StoredNamedResource } from './document-rows.js';
import type { TagRow } from './tags.js';

/** What the store needs of an endpoint configuration record; the rest is kept as a JSON document. */
export type StoredEndpointConfig = StoredNamedResource;

/**
 * Endpoint configurations in the `endpoint_configs` table: name, ARN and creation time as columns,
 * everything else as a JSON document. Implements src/endpoints' EndpointConfigRepository port;
 * names match case-insensitively.
 */
export class KyselyEndpointConfigRepository<T extends StoredEndpointConfig = StoredEndpointConfig> {
  constructor(private readonly database: Database) {}

  /** Stores a new configuration and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return insertWithTags(this.database, record.arn, tags, (trx) =>
      trx
        .insertInto('endpoint_configs')
        .values(namedRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst(),
    );
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('endpoint_configs').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? namedRecord<T>(row) : undefined;
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom('endpoint_configs').selectAll(), request, namedDocumentColumns);
    return recordPage(page, (row) => namedRecord<T>(row));
  }

  /** False if there was no such configuration. */
  async delete(name: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('endpoint_configs').where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
