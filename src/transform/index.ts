export { TransformService, transformJobDir } from './transform-service.js';
export type { TransformServiceConfig, TransformServiceDependencies } from './transform-service.js';
export type { TransformJobRepository } from './transform-job-repository.js';
export type { TransformJobRecord, TransformJobSortField, TransformJobStatus } from './transform-job-record.js';
export { validateTransformJobSpec } from './create-validation.js';
export type { CreateTransformJobInput } from './create-validation.js';
export type {
  TransformRunner,
  TransformRun,
  TransformOutcome,
  TransformJobSpec,
  TransformJobInput,
  TransformJobOutput,
  TransformJobResources,
  TransformS3DataSource,
} from './transform-runner.js';
