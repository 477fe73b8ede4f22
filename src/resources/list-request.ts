/** Where the previous page ended: the sort value and (lower-cased) name of its last item. */
export interface PageCursor {
  readonly value: string | number;
  readonly name: string;
}

/**
 * One List* call in internal form, whatever the resource: sort, page size, continuation and
 * the common filters. Times are epoch milliseconds; `sortBy` names a field of the resource's
 * summary record (`name`, `creationTime`, `status` …).
 */
export interface ListRequest<SortField extends string = string> {
  readonly sortBy: SortField;
  readonly sortOrder: 'Ascending' | 'Descending';
  readonly maxResults: number;
  readonly after?: PageCursor;
  /** Case-insensitive substring of the name. */
  readonly nameContains?: string;
  readonly creationTimeAfter?: number;
  readonly creationTimeBefore?: number;
  readonly lastModifiedTimeAfter?: number;
  readonly lastModifiedTimeBefore?: number;
  readonly statusEquals?: string;
}

/** One page of a listing; `next` is set only if more items follow. */
export interface ListPage<T> {
  readonly items: T[];
  readonly next?: PageCursor;
}
