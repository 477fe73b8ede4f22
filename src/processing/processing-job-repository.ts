import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { ProcessingJobRecord, ProcessingJobSortField } from './processing-job-record.js';

/** Where processing jobs are stored (src/store/repositories/processing-jobs.ts implements it). */
export interface ProcessingJobRepository {
  /** Stores a new job with its tags, atomically; false (nothing stored) if a job with that name (case-insensitively) exists. */
  insert(record: ProcessingJobRecord, tags?: readonly Tag[]): Promise<boolean>;
  update(record: ProcessingJobRecord): Promise<void>;
  get(name: string): Promise<ProcessingJobRecord | undefined>;
  /** Jobs in these statuses, oldest first. */
  withStatus(statuses: readonly string[]): Promise<ProcessingJobRecord[]>;
  list(request: ListRequest<ProcessingJobSortField>): Promise<ListPage<ProcessingJobRecord>>;
}
