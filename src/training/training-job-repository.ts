import type { ListPage, ListRequest, Tag } from '../resources/index.js';
import type { TrainingJobRecord, TrainingJobSortField } from './training-job-record.js';

/** Where training jobs are stored (src/store/repositories/training-jobs.ts implements it). */
export interface TrainingJobRepository {
  /** Stores a new job with its tags, atomically; false (nothing stored) if a job with that name (case-insensitively) exists. */
  insert(record: TrainingJobRecord, tags?: readonly Tag[]): Promise<boolean>;
  update(record: TrainingJobRecord): Promise<void>;
  get(name: string): Promise<TrainingJobRecord | undefined>;
  /** Jobs in these statuses, oldest first. */
  withStatus(statuses: readonly string[]): Promise<TrainingJobRecord[]>;
  list(request: ListRequest<TrainingJobSortField>): Promise<ListPage<TrainingJobRecord>>;
}
