import type { JobRepository } from '../resources/index.js';
import type { ProcessingJobRecord, ProcessingJobSortField } from './processing-job-record.js';

/** Where processing jobs are stored. */
export type ProcessingJobRepository = JobRepository<ProcessingJobRecord, ProcessingJobSortField>;
