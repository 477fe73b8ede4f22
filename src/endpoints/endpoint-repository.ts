import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { EndpointRecord, EndpointSortField, EndpointStatus } from './endpoint-record.js';

/** Where endpoints are kept; names match case-insensitively. Implemented in src/store/repositories. */
export interface EndpointRepository {
  /** Stores a new endpoint with its tags, atomically; false (nothing stored) if the name is taken. */
  insert(record: EndpointRecord, tags?: readonly Tag[]): Promise<boolean>;
  /** Replaces the record if the stored status is one of `expectedStatuses` (compare-and-set); false otherwise. */
  replace(record: EndpointRecord, expectedStatuses: readonly EndpointStatus[]): Promise<boolean>;
  get(name: string): Promise<EndpointRecord | undefined>;
  /** Endpoints in any of `statuses`, oldest first. */
  withStatus(statuses: readonly EndpointStatus[]): Promise<EndpointRecord[]>;
  list(request: ListRequest<EndpointSortField>): Promise<ListPage<EndpointRecord>>;
  /** Deletes the endpoint if its status is one of `expectedStatuses`; false otherwise. */
  delete(name: string, expectedStatuses: readonly EndpointStatus[]): Promise<boolean>;
}
