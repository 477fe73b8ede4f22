import type { Database } from '../database.js';
import type { EndpointConfigsTable } from '../schema.js';
import { listPage, type PageRequest } from './list-page.js';
import { replaceTags, type TagRow } from './tags.js';

/** What the store needs of an endpoint configuration record; the rest is kept as a JSON document. */
export interface StoredEndpointConfig {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
}

function toRecord<T extends StoredEndpointConfig>(row: EndpointConfigsTable): T {
  return { ...(JSON.parse(row.document) as object), name: row.name, arn: row.arn, creationTime: Number(row.creation_time) } as T;
}

/**
 * Endpoint configurations in the `endpoint_configs` table: name, ARN and creation time as columns,
 * everything else as a JSON document. Implements src/endpoints' EndpointConfigRepository port;
 * names match case-insensitively.
 */
export class KyselyEndpointConfigRepository<T extends StoredEndpointConfig = StoredEndpointConfig> {
  constructor(private readonly database: Database) {}

  /** Stores a new configuration and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    const { name, arn, creationTime, ...rest } = record;
    return this.database.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('endpoint_configs')
        .values({ name_lower: name.toLowerCase(), name, arn, creation_time: creationTime, document: JSON.stringify(rest) })
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await replaceTags(trx, arn, tags);
      return true;
    });
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('endpoint_configs').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? toRecord<T>(row) : undefined;
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom('endpoint_configs').selectAll(), request, {
      nameLower: 'name_lower',
      creationTime: 'creation_time',
      sortColumns: { name: 'name_lower', creationTime: 'creation_time' },
    });
    const items = page.rows.map((row) => toRecord<T>(row));
    return page.next ? { items, next: page.next } : { items };
  }

  /** False if there was no such configuration. */
  async delete(name: string): Promise<boolean> {
    const result = await this.database.db.deleteFrom('endpoint_configs').where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
