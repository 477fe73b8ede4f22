import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database } from '../database.js';

/** A List* request as the store sees it (structurally the same as src/resources' ListRequest). */
export interface PageRequest {
  readonly sortBy: string;
  readonly sortOrder: 'Ascending' | 'Descending';
  readonly maxResults: number;
  readonly after?: { readonly value: string | number; readonly name: string };
  readonly nameContains?: string;
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
  readonly lastModifiedTimeAfter?: number;
  readonly lastModifiedTimeBefore?: number;
  readonly statusEquals?: string;
}

/** Which columns of a table hold what a listing sorts and filters by. */
export interface PageColumns {
  /** The unique lower-cased name: tie-breaker and NameContains. */
  readonly nameLower: string;
  readonly creationTime: string;
  readonly lastModifiedTime?: string;
  readonly status?: string;
  /** `sortBy` value → column; text columns must be listed in `textColumns`. */
  readonly sortColumns: Readonly<Record<string, string>>;
  readonly textColumns?: readonly string[];
}

/** One page of rows and, if more follow, the cursor after the last one. */
export interface RowPage<Row> {
  readonly rows: Row[];
  readonly next?: { value: string | number; name: string };
}

/**
 * Runs a keyset-paged listing over `query` (which must select the sort, name and time columns):
 * applies the common List* filters, sorts by the requested column then by name, and returns at
 * most `maxResults` rows after the cursor. Text is compared byte-wise on both dialects
 * (`COLLATE "C"` on PostgreSQL) so pages are stable and identical on SQLite and PostgreSQL.
 * Throws if `sortBy` has no column.
 */
export async function listPage<DB, TB extends keyof DB, Row extends Record<string, unknown>>(
  database: Database,
  query: SelectQueryBuilder<DB, TB, Row>,
  request: PageRequest,
  columns: PageColumns,
): Promise<RowPage<Row>> {
  const sortColumn = columns.sortColumns[request.sortBy];
  if (sortColumn === undefined) throw new Error(`cannot sort by ${request.sortBy}`);
  const text = (column: string): RawBuilder<unknown> =>
    database.dialect === 'postgres' && (column === columns.nameLower || columns.textColumns?.includes(column))
      ? sql`${sql.ref(column)} collate "C"`
      : sql`${sql.ref(column)}`;
  const where = (column: string, op: '>' | '<' | '=' | '>=' | '<=', value: unknown): RawBuilder<SqlBool> =>
    sql<SqlBool>`${text(column)} ${sql.raw(op)} ${value}`;

  let q = query;
  const filters: Array<RawBuilder<SqlBool>> = [];
  if (request.nameContains !== undefined) {
    const escaped = request.nameContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    filters.push(sql<SqlBool>`${sql.ref(columns.nameLower)} like ${`%${escaped}%`} escape '\\'`);
  }
  if (request.creationTimeAfter !== undefined) filters.push(where(columns.creationTime, '>', request.creationTimeAfter));
  if (request.creationTimeBefore !== undefined) filters.push(where(columns.creationTime, '<', request.creationTimeBefore));
  if (columns.lastModifiedTime !== undefined) {
    if (request.lastModifiedTimeAfter !== undefined) filters.push(where(columns.lastModifiedTime, '>', request.lastModifiedTimeAfter));
    if (request.lastModifiedTimeBefore !== undefined) filters.push(where(columns.lastModifiedTime, '<', request.lastModifiedTimeBefore));
  }
  if (columns.status !== undefined && request.statusEquals !== undefined) filters.push(where(columns.status, '=', request.statusEquals));
  const ascending = request.sortOrder === 'Ascending';
  if (request.after) {
    const op = ascending ? '>' : '<';
    const { value, name } = request.after;
    filters.push(sql<SqlBool>`(${where(sortColumn, op, value)} or (${where(sortColumn, '=', value)} and ${where(columns.nameLower, op, name)}))`);
  }
  for (const filter of filters) q = q.where((_eb: ExpressionBuilder<DB, TB>) => filter as Expression<SqlBool>);
  const direction = sql.raw(ascending ? 'asc' : 'desc');
  q = q.orderBy(sql`${text(sortColumn)} ${direction}`).orderBy(sql`${text(columns.nameLower)} ${direction}`);
  const rows = (await q.limit(request.maxResults + 1).execute()) as Row[];
  if (rows.length <= request.maxResults) return { rows };
  rows.length = request.maxResults;
  const last = rows[rows.length - 1] as Record<string, unknown>;
  return { rows, next: { value: last[sortColumn] as string | number, name: last[columns.nameLower] as string } };
}
