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
export { validateProcessingJobSpec, PROCESSING_ROOT } from './create-validation.js';
export { processingJobConfig, processingConfigFiles } from './container-contract.js';
export type { ProcessingJobIdentity } from './container-contract.js';
export { finishProcessing, processingOutcome, isFinished } from './status.js';
export { readExitMessages, ExitMessageNotUtf8 } from './exit-message.js';
export type { ExitMessages } from './exit-message.js';
export { PROCESSING_LOG_GROUP, processingJobDir } from './job-layout.js';
