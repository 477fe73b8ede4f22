import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { TransformJobRecord, TransformJobSortField } from './transform-job-record.js';

/** Where transform jobs are stored (src/store/repositories/transform-jobs.ts implements it). */
export interface TransformJobRepository {
  /** Stores a new job with its tags, atomically; false (nothing stored) if a job with that name (case-insensitively) exists. */
  insert(record: TransformJobRecord, tags?: readonly Tag[]): Promise<boolean>;
  /** Replaces a job's record. */
  update(record: TransformJobRecord): Promise<void>;
  /** The job, name matched case-insensitively. */
  get(name: string): Promise<TransformJobRecord | undefined>;
  /** Jobs in these statuses, oldest first. */
  withStatus(statuses: readonly string[]): Promise<TransformJobRecord[]>;
  list(request: ListRequest<TransformJobSortField>): Promise<ListPage<TransformJobRecord>>;
}
