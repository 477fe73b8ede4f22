import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { ModelRecord, ModelSortField } from './model-record.js';

/** Where models are kept; names match case-insensitively. Implemented in src/store/repositories. */
export interface ModelRepository {
  /** Stores a new model with its tags, atomically; false (and nothing stored) if one with that name exists. */
  insert(record: ModelRecord, tags?: readonly Tag[]): Promise<boolean>;
  get(name: string): Promise<ModelRecord | undefined>;
  list(request: ListRequest<ModelSortField>): Promise<ListPage<ModelRecord>>;
  /** False if there was no such model. */
  delete(name: string): Promise<boolean>;
}
