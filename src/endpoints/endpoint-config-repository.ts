import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { EndpointConfigRecord, EndpointConfigSortField } from './endpoint-config-record.js';

/** Where endpoint configurations are kept; names match case-insensitively. Implemented in src/store/repositories. */
export interface EndpointConfigRepository {
  /** Stores a new configuration with its tags, atomically; false (nothing stored) if the name is taken. */
  insert(record: EndpointConfigRecord, tags?: readonly Tag[]): Promise<boolean>;
  get(name: string): Promise<EndpointConfigRecord | undefined>;
  list(request: ListRequest<EndpointConfigSortField>): Promise<ListPage<EndpointConfigRecord>>;
  /** False if there was no such configuration. */
  delete(name: string): Promise<boolean>;
}
