import type {
  CreateTransformJobRequest,
  CreateTransformJobResponse,
  DescribeTransformJobRequest,
  DescribeTransformJobResponse,
  ListTransformJobsRequest,
  ListTransformJobsResponse,
  StopTransformJobRequest,
  TransformInstanceType,
} from '@aws-sdk/client-sagemaker';
import type { TransformJobRecord, TransformService } from '../../transform/index.js';
import { byNameCreationTimeOrStatus, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { wireDate } from './wire-records.js';

/**
 * DescribeTransformJob's response for a record: the request's members echoed (TransformInput's
 * CompressionType/SplitType, TransformOutput's AssembleWith and DataProcessing with SageMaker's
 * defaults filled in), status, FailureReason and times.
 */
function describeTransformJobOutput(job: TransformJobRecord): DescribeTransformJobResponse {
  const spec = job.spec;
  return {
    TransformJobName: job.name,
    TransformJobArn: job.arn,
    TransformJobStatus: job.status,
    FailureReason: job.failureReason,
    ModelName: spec.ModelName,
    MaxConcurrentTransforms: spec.MaxConcurrentTransforms,
    ModelClientConfig: spec.ModelClientConfig ? { InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 3, ...spec.ModelClientConfig } : undefined,
    MaxPayloadInMB: spec.MaxPayloadInMB,
    BatchStrategy: spec.BatchStrategy,
    Environment: spec.Environment,
    TransformInput: { CompressionType: 'None', SplitType: 'None', ...spec.TransformInput },
    TransformOutput: { AssembleWith: 'None', ...spec.TransformOutput },
    DataCaptureConfig: spec.DataCaptureConfig,
    TransformResources: { ...spec.TransformResources, InstanceType: spec.TransformResources.InstanceType as TransformInstanceType },
    CreationTime: new Date(job.creationTime),
    TransformStartTime: wireDate(job.transformStartTime),
    TransformEndTime: wireDate(job.transformEndTime),
    DataProcessing: { InputFilter: '$', OutputFilter: '$', JoinSource: 'None', ...spec.DataProcessing },
    ExperimentConfig: spec.ExperimentConfig,
  };
}

/** CreateTransformJob, DescribeTransformJob, ListTransformJobs and StopTransformJob over a TransformService. */
export function transformOperations(transform: TransformService): OperationTable {
  return {
    async CreateTransformJob(input) {
      const { TransformJobName, Tags, ...spec } = input as unknown as CreateTransformJobRequest;
      const job = await transform.create(TransformJobName as string, spec, tagsFromWire(Tags));
      const output: CreateTransformJobResponse = { TransformJobArn: job.arn };
      return output;
    },

    async DescribeTransformJob(input) {
      const request = input as unknown as DescribeTransformJobRequest;
      return describeTransformJobOutput(await transform.describe(request.TransformJobName as string));
    },

    async ListTransformJobs(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListTransformJobsRequest,
        byNameCreationTimeOrStatus,
        (request) => transform.list(request),
        (j) => ({
          TransformJobName: j.name,
          TransformJobArn: j.arn,
          CreationTime: new Date(j.creationTime),
          TransformEndTime: wireDate(j.transformEndTime),
          LastModifiedTime: new Date(j.lastModifiedTime),
          TransformJobStatus: j.status,
          FailureReason: j.failureReason,
        }),
      );
      const output: ListTransformJobsResponse = { TransformJobSummaries: summaries, NextToken: nextToken };
      return output;
    },

    async StopTransformJob(input) {
      const request = input as unknown as StopTransformJobRequest;
      await transform.stop(request.TransformJobName as string);
      return {};
    },
  };
}
