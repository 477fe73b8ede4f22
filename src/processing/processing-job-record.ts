import type { CreateProcessingJobRequest } from '@aws-sdk/client-sagemaker';

/** ProcessingJobStatus. */
export type ProcessingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/**
 * The request members a job keeps and echoes back (AppSpecification, ProcessingInputs,
 * ProcessingOutputConfig, ProcessingResources …) in wire form: opaque configuration to the service,
 * echoed verbatim by DescribeProcessingJob.
 */
export type ProcessingJobSpec = Omit<CreateProcessingJobRequest, 'ProcessingJobName' | 'Tags'>;

/** One ProcessingInputs entry, in wire form. */
export type ProcessingInputSpec = NonNullable<ProcessingJobSpec['ProcessingInputs']>[number];

/** One ProcessingOutputConfig.Outputs entry, in wire form. */
export type ProcessingOutputSpec = NonNullable<NonNullable<ProcessingJobSpec['ProcessingOutputConfig']>['Outputs']>[number];

/** A processing job as stored: identity, status, timing and results (times are epoch ms). */
export interface ProcessingJobRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly status: ProcessingJobStatus;
  readonly spec: ProcessingJobSpec;
  readonly failureReason?: string;
  /** The containers' /opt/ml/output/message, concatenated across hosts, first 1 KB. */
  readonly exitMessage?: string;
  readonly processingStartTime?: number;
  readonly processingEndTime?: number;
  /** Set by StopProcessingJob. */
  readonly stopRequested?: boolean;
}

/** Sort fields of ListProcessingJobs. */
export type ProcessingJobSortField = 'name' | 'creationTime' | 'status';
