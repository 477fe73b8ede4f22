export { ProcessingService } from './processing-service.js';
export type { ProcessingServiceConfig, ProcessingServiceDependencies } from './processing-service.js';
export type { ProcessingJobRepository } from './processing-job-repository.js';
export type {
  ProcessingJobRecord,
  ProcessingJobSpec,
  ProcessingJobSortField,
  ProcessingJobStatus,
  ProcessingInputSpec,
  ProcessingOutputSpec,
} from './processing-job-record.js';
