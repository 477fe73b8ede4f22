export { TrainingService } from './training-service.js';
export type { TrainingServiceConfig, TrainingServiceDependencies } from './training-service.js';
export type { TrainingJobRepository } from './training-job-repository.js';
export type {
  TrainingJobRecord,
  TrainingJobSpec,
  TrainingJobSortField,
  TrainingJobStatus,
  SecondaryStatus,
  StatusTransition,
  FinalMetric,
} from './training-job-record.js';
export { finalStatus, enterStatus, finish, isRetryable, isTerminal, trainingSeconds, defaultStatusMessage } from './status.js';
export type { JobOutcome, FinalStatus } from './status.js';
export { contractEnvironment, configFiles, resourceConfig, inputDataConfig, hostNames, userArgs, toolkitJson } from './container-contract.js';
export type { InstanceContext } from './container-contract.js';
export { clusterDemand, instanceResources } from './instance-types.js';
export type { InstanceResources } from './instance-types.js';
export { CapacityQueue } from './capacity-queue.js';
export type { Demand } from './capacity-queue.js';
export { TRAINING_LOG_GROUP, LogTailer, type LogTailerOptions } from './log-tailer.js';
export { trainingJobDir, jobDirectory, instanceDir, hostPathFor } from './job-layout.js';
export { ActiveJob } from './active-job.js';
export { JobAdmission } from './job-admission.js';
export type { AdmittedRecord, JobKind } from './job-admission.js';
export { clientProblem, executionOutcome, followLaunch, ServerClosing } from './job-run.js';
export type { RunContext } from './job-run.js';
export { clusterResourceConfig } from './container-contract.js';
export { localUrl } from './sidecar-s3.js';
export type { SidecarS3Access } from './sidecar-s3.js';
