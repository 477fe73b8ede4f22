import type { ListPage, ListRequest } from './list-request.js';
import type { Tag } from './tag-repository.js';

/**
 * Where one kind of job (training, processing, transform) is stored: records `R`, listed by sort
 * fields `S`. src/store/repositories/jobs.ts implements it, one table per kind.
 */
export interface JobRepository<R, S extends string> {
  /** Stores a new job with its tags, atomically; false (nothing stored) if a job with that name (case-insensitively) exists. */
  insert(record: R, tags?: readonly Tag[]): Promise<boolean>;
  /** Replaces a job's record. */
  update(record: R): Promise<void>;
  /** The job, name matched case-insensitively. */
  get(name: string): Promise<R | undefined>;
  /** Jobs in these statuses, oldest first. */
  withStatus(statuses: readonly string[]): Promise<R[]>;
  list(request: ListRequest<S>): Promise<ListPage<R>>;
}
