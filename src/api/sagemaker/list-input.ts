import type { ListPage, ListRequest } from '../../resources/index.js';
import { decodePageToken, encodePageToken } from './page-token.js';

/** The List* members common to SageMaker's listings, as validated input (timestamps are Dates). */
export interface ListInput {
  readonly NextToken?: string;
  readonly MaxResults?: number;
  readonly SortBy?: string;
  readonly SortOrder?: string;
  readonly NameContains?: string;
  readonly CreationTimeAfter?: Date;
  readonly CreationTimeBefore?: Date;
  readonly LastModifiedTimeAfter?: Date;
  readonly LastModifiedTimeBefore?: Date;
  readonly StatusEquals?: string;
}

/** How one List* operation sorts. */
export interface ListOptions<Field extends string> {
  /** Wire `SortBy` value → internal sort field (`{ Name: 'name', CreationTime: 'creationTime' }`). */
  readonly sortFields: Readonly<Record<string, Field>>;
  /** Wire `SortBy` when the request has none. */
  readonly defaultSortBy: string;
  readonly defaultSortOrder: 'Ascending' | 'Descending';
  /** MaxResults when the request has none (SageMaker: 10). */
  readonly defaultMaxResults?: number;
}

/** Sorting of resources listed by name or creation time, newest first unless asked (ListModels, ListEndpointConfigs). */
export const byNameOrCreationTime: ListOptions<'name' | 'creationTime'> = Object.freeze({
  sortFields: Object.freeze({ Name: 'name', CreationTime: 'creationTime' } as const),
  defaultSortBy: 'CreationTime',
  defaultSortOrder: 'Descending',
});

/** Sorting of resources with a status: also by status (ListEndpoints, ListTrainingJobs). */
export const byNameCreationTimeOrStatus: ListOptions<'name' | 'creationTime' | 'status'> = Object.freeze({
  sortFields: Object.freeze({ Name: 'name', CreationTime: 'creationTime', Status: 'status' } as const),
  defaultSortBy: 'CreationTime',
  defaultSortOrder: 'Descending',
});

/**
 * Turns a List* request into the internal ListRequest: defaults for SortBy/SortOrder/MaxResults
 * (10), the NextToken decoded (ValidationException `Invalid pagination token …` if it does not
 * belong to this sort), times as epoch milliseconds.
 */
export function parseListInput<Field extends string>(input: ListInput, options: ListOptions<Field>): ListRequest<Field> {
  const wireSortBy = input.SortBy ?? options.defaultSortBy;
  const sortBy = options.sortFields[wireSortBy] ?? (options.sortFields[options.defaultSortBy] as Field);
  const sortOrder = input.SortOrder === 'Ascending' || input.SortOrder === 'Descending' ? input.SortOrder : options.defaultSortOrder;
  const ms = (date: Date | undefined): number | undefined => date?.getTime();
  return {
    sortBy,
    sortOrder,
    maxResults: input.MaxResults ?? options.defaultMaxResults ?? 10,
    ...(input.NextToken !== undefined ? { after: decodePageToken(input.NextToken, sortBy, sortOrder) } : {}),
    ...(input.NameContains !== undefined ? { nameContains: input.NameContains } : {}),
    ...(input.CreationTimeAfter ? { creationTimeAfter: ms(input.CreationTimeAfter) } : {}),
    ...(input.CreationTimeBefore ? { creationTimeBefore: ms(input.CreationTimeBefore) } : {}),
    ...(input.LastModifiedTimeAfter ? { lastModifiedTimeAfter: ms(input.LastModifiedTimeAfter) } : {}),
    ...(input.LastModifiedTimeBefore ? { lastModifiedTimeBefore: ms(input.LastModifiedTimeBefore) } : {}),
    ...(input.StatusEquals !== undefined ? { statusEquals: input.StatusEquals } : {}),
  };
}

/** The response's NextToken for a page (undefined on the last page, which must carry none). */
export function nextPageToken(request: ListRequest, next: ListRequest['after']): string | undefined {
  return next ? encodePageToken(request.sortBy, request.sortOrder, next) : undefined;
}

/**
 * One List* operation: parses `input` by `options` (see parseListInput), asks `list` for the page and
 * turns its items into wire summaries with `summary`. Throws what parseListInput and `list` throw.
 */
export async function listSummaries<Field extends string, Item, Summary>(
  input: ListInput,
  options: ListOptions<Field>,
  list: (request: ListRequest<Field>) => Promise<ListPage<Item>>,
  summary: (item: Item) => Summary,
): Promise<{ readonly summaries: Summary[]; readonly nextToken: string | undefined }> {
  const request = parseListInput(input, options);
  const page = await list(request);
  return { summaries: page.items.map(summary), nextToken: nextPageToken(request, page.next) };
}
