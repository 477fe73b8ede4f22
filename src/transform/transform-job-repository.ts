import type { JobRepository } from '../resources/index.js';
import type { TransformJobRecord, TransformJobSortField } from './transform-job-record.js';

/** Where transform jobs are stored. */
export type TransformJobRepository = JobRepository<TransformJobRecord, TransformJobSortField>;
