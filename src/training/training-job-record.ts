import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';

/** TrainingJobStatus. */
export type TrainingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** The SecondaryStatus values Salvia uses. */
export type SecondaryStatus =
  'Starting' | 'Downloading' | 'Training' | 'Uploading' | 'Stopping' | 'Stopped' | 'MaxRuntimeExceeded' | 'Completed' | 'Failed' | 'Restarting';

/** One SecondaryStatusTransitions entry (epoch ms). */
export interface StatusTransition {
  readonly status: SecondaryStatus;
  readonly startTime: number;
  readonly endTime?: number;
  readonly statusMessage: string;
}

/** One FinalMetricDataList entry (epoch ms). */
export interface FinalMetric {
  readonly metricName: string;
  readonly value: number;
  readonly timestamp: number;
}

/**
 * The request members a job keeps and echoes back (AlgorithmSpecification, ResourceConfig,
 * InputDataConfig …), in wire form: they are opaque configuration to the service and are echoed
 * verbatim by DescribeTrainingJob.
 */
export type TrainingJobSpec = Omit<CreateTrainingJobRequest, 'TrainingJobName' | 'Tags'>;

/** A training job as stored: identity, status, timing and results (times are epoch ms). */
export interface TrainingJobRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly status: TrainingJobStatus;
  readonly secondaryStatus: SecondaryStatus;
  readonly transitions: readonly StatusTransition[];
  readonly spec: TrainingJobSpec;
  readonly failureReason?: string;
  readonly trainingStartTime?: number;
  readonly trainingEndTime?: number;
  readonly modelArtifacts?: string;
  readonly finalMetrics?: readonly FinalMetric[];
  /** 1 for the first run; incremented by each retry (RetryStrategy). */
  readonly attempt: number;
  /** Set by StopTrainingJob. */
  readonly stopRequested?: boolean;
}

/** Sort fields of ListTrainingJobs. */
export type TrainingJobSortField = 'name' | 'creationTime' | 'status';
