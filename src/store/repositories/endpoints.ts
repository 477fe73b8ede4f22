import type { Database } from '../database.js';
import { listPage, type PageRequest } from './list-page.js';
import { statusDocumentColumns, insertWithTags, recordPage, recordsWithStatus, statusRecord, statusRow, type StoredStatusResource } from './document-rows.js';
import type { TagRow } from './tags.js';

/** What the store needs of an endpoint record; the rest is kept as a JSON document. */
export type StoredEndpoint = StoredStatusResource;

/**
 * Endpoints in the `endpoints` table (names match case-insensitively). Status changes are
 * compare-and-set on the status column, so two concurrent calls cannot both start an operation.
 * Implements src/endpoints' EndpointRepository port.
 */
export class KyselyEndpointRepository<T extends StoredEndpoint = StoredEndpoint> {
  constructor(private readonly database: Database) {}

  /** Stores a new endpoint and its tags in one transaction; false (nothing stored) if the name is taken. */
  async insert(record: T, tags: readonly TagRow[] = []): Promise<boolean> {
    return insertWithTags(this.database, record.arn, tags, (trx) =>
      trx
        .insertInto('endpoints')
        .values(statusRow(record))
        .onConflict((oc) => oc.column('name_lower').doNothing())
        .executeTakeFirst(),
    );
  }

  /**
   * Replaces the endpoint's record if its stored status is one of `expectedStatuses`; false (nothing
   * changed) if it is not, or the endpoint is gone.
   */
  async replace(record: T, expectedStatuses: readonly string[]): Promise<boolean> {
    if (expectedStatuses.length === 0) return false;
    const { name_lower, ...row } = statusRow(record);
    const result = await this.database.db
      .updateTable('endpoints')
      .set(row)
      .where('name_lower', '=', name_lower)
      .where('status', 'in', expectedStatuses)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(name: string): Promise<T | undefined> {
    const row = await this.database.db.selectFrom('endpoints').selectAll().where('name_lower', '=', name.toLowerCase()).executeTakeFirst();
    return row ? statusRecord<T>(row) : undefined;
  }

  /** Endpoints whose status is one of `statuses`, oldest first (recovery after a restart). */
  async withStatus(statuses: readonly string[]): Promise<T[]> {
    return recordsWithStatus<T>(this.database, 'endpoints', statuses);
  }

  async list(request: PageRequest): Promise<{ items: T[]; next?: { value: string | number; name: string } }> {
    const page = await listPage(this.database, this.database.db.selectFrom('endpoints').selectAll(), request, statusDocumentColumns);
    return recordPage(page, (row) => statusRecord<T>(row));
  }

  /** Deletes the endpoint if its status is one of `expectedStatuses`; false otherwise. */
  async delete(name: string, expectedStatuses: readonly string[]): Promise<boolean> {
    if (expectedStatuses.length === 0) return false;
    const result = await this.database.db
      .deleteFrom('endpoints')
      .where('name_lower', '=', name.toLowerCase())
      .where('status', 'in', expectedStatuses)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
