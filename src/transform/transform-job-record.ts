import type { TransformJobSpec } from './transform-runner.js';

/** TransformJobStatus. */
export type TransformJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** A transform job as stored: identity, status and timing (epoch ms); the request's members in `spec`. */
export interface TransformJobRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly status: TransformJobStatus;
  readonly spec: TransformJobSpec;
  readonly failureReason?: string;
  /** When the current run was admitted (the model servers start); unset while queued. */
  readonly transformStartTime?: number;
  readonly transformEndTime?: number;
}

/** Sort fields of ListTransformJobs. */
export type TransformJobSortField = 'name' | 'creationTime' | 'status';
