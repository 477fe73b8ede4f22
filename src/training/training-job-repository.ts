import type { JobRepository } from '../resources/index.js';
import type { TrainingJobRecord, TrainingJobSortField } from './training-job-record.js';

/** Where training jobs are stored. */
export type TrainingJobRepository = JobRepository<TrainingJobRecord, TrainingJobSortField>;
