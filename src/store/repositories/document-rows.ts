import type { InsertResult, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { Schema } from '../schema.js';
import type { PageColumns, RowPage } from './list-page.js';
import { replaceTags, type TagRow } from './tags.js';

/** What the store keeps as columns of a named resource; the rest of its record is a JSON document. */
export interface StoredNamedResource {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
}

/** A named resource that also has a status and a last-modified time as columns. */
export interface StoredStatusResource extends StoredNamedResource {
  readonly lastModifiedTime: number;
  readonly status: string;
}

/** The row of a named resource: lower-cased name as key, the record's other fields in `document`. */
export interface NamedDocumentRow {
  name_lower: string;
  name: string;
  arn: string;
  creation_time: number;
  document: string;
}

/** The row of a named resource with status. */
export interface StatusDocumentRow extends NamedDocumentRow {
  last_modified_time: number;
  status: string;
}

/** The record stored in a named-document row (the document's fields plus the columns). */
export function namedRecord<T extends StoredNamedResource>(row: NamedDocumentRow): T {
  return { ...(JSON.parse(row.document) as object), name: row.name, arn: row.arn, creationTime: Number(row.creation_time) } as T;
}

/** The named-document row storing a record. */
export function namedRow(record: StoredNamedResource): NamedDocumentRow {
  const { name, arn, creationTime, ...rest } = record;
  return { name_lower: name.toLowerCase(), name, arn, creation_time: creationTime, document: JSON.stringify(rest) };
}

/** The record stored in a row with status. */
export function statusRecord<T extends StoredStatusResource>(row: StatusDocumentRow): T {
  return {
    ...namedRecord<StoredNamedResource>(row),
    lastModifiedTime: Number(row.last_modified_time),
    status: row.status,
  } as T;
}

/** The row with status storing a record. */
export function statusRow(record: StoredStatusResource): StatusDocumentRow {
  const { lastModifiedTime, status, ...named } = record;
  return { ...namedRow(named), last_modified_time: lastModifiedTime, status };
}

/**
 * Runs `insert` (an insert of a resource's row that does nothing on a name conflict) and stores the
 * resource's tags in one transaction; false (nothing stored) if the insert stored no row.
 */
export async function insertWithTags(
  database: Database,
  arn: string,
  tags: readonly TagRow[],
  insert: (trx: Transaction<Schema>) => Promise<InsertResult>,
): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    const result = await insert(trx);
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await replaceTags(trx, arn, tags);
    return true;
  });
}

/** The tables whose rows are StatusDocumentRows: endpoints and the three kinds of SageMaker job. */
export type StatusDocumentTable = 'endpoints' | 'training_jobs' | 'processing_jobs' | 'transform_jobs';

/** The records of `table` whose status is one of `statuses`, oldest first (recovery after a restart). */
export async function recordsWithStatus<T extends StoredStatusResource>(
  database: Database,
  table: StatusDocumentTable,
  statuses: readonly string[],
): Promise<T[]> {
  if (statuses.length === 0) return [];
  // The tables share one row type, so Kysely is shown one of them for all.
  const rows = await database.db
    .selectFrom(table as 'endpoints')
    .selectAll()
    .where('status', 'in', statuses)
    .orderBy('creation_time', 'asc')
    .orderBy('name_lower', 'asc')
    .execute();
  return rows.map((row) => statusRecord<T>(row));
}

/** The listing columns of a named-document table (sorted by name or creation time). */
export const namedDocumentColumns: PageColumns = Object.freeze({
  nameLower: 'name_lower',
  creationTime: 'creation_time',
  sortColumns: Object.freeze({ name: 'name_lower', creationTime: 'creation_time' }),
});

/** The listing columns of a named-document table with status (also filtered and sorted by status and last-modified time). */
export const statusDocumentColumns: PageColumns = Object.freeze({
  nameLower: 'name_lower',
  creationTime: 'creation_time',
  lastModifiedTime: 'last_modified_time',
  status: 'status',
  sortColumns: Object.freeze({ name: 'name_lower', creationTime: 'creation_time', status: 'status' }),
  textColumns: Object.freeze(['status']),
});

/** A page of rows as a page of records; `next` only when more follow. */
export function recordPage<Row, T>(page: RowPage<Row>, toRecord: (row: Row) => T): { items: T[]; next?: RowPage<Row>['next'] } {
  const items = page.rows.map((row) => toRecord(row));
  return page.next ? { items, next: page.next } : { items };
}
