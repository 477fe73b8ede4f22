import type {
  CreateProcessingJobRequest,
  CreateProcessingJobResponse,
  DescribeProcessingJobRequest,
  DescribeProcessingJobResponse,
  ListProcessingJobsRequest,
  ListProcessingJobsResponse,
  StopProcessingJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { ProcessingJobRecord, ProcessingService } from '../../processing/index.js';
import { byNameCreationTimeOrStatus, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { wireDate } from './wire-records.js';

/** DescribeProcessingJob's response: the request's members echoed (ProcessingResources always, which the SDK indexes), status, times, results. */
function describeProcessingJobOutput(job: ProcessingJobRecord): DescribeProcessingJobResponse {
  const spec = job.spec;
  return {
    ProcessingJobName: job.name,
    ProcessingJobArn: job.arn,
    ProcessingInputs: spec.ProcessingInputs,
    ProcessingOutputConfig: spec.ProcessingOutputConfig,
    ProcessingResources: spec.ProcessingResources,
    StoppingCondition: spec.StoppingCondition,
    AppSpecification: spec.AppSpecification,
    Environment: spec.Environment,
    NetworkConfig: spec.NetworkConfig,
    RoleArn: spec.RoleArn,
    ExperimentConfig: spec.ExperimentConfig,
    ProcessingJobStatus: job.status,
    ExitMessage: job.exitMessage,
    FailureReason: job.failureReason,
    ProcessingEndTime: wireDate(job.processingEndTime),
    ProcessingStartTime: wireDate(job.processingStartTime),
    LastModifiedTime: new Date(job.lastModifiedTime),
    CreationTime: new Date(job.creationTime),
  };
}

/** CreateProcessingJob, DescribeProcessingJob, ListProcessingJobs and StopProcessingJob over a ProcessingService. */
export function processingOperations(processing: ProcessingService): OperationTable {
  return {
    async CreateProcessingJob(input) {
      const { ProcessingJobName, Tags, ...spec } = input as unknown as CreateProcessingJobRequest;
      const job = await processing.create(ProcessingJobName as string, spec, tagsFromWire(Tags));
      const output: CreateProcessingJobResponse = { ProcessingJobArn: job.arn };
      return output;
    },

    async DescribeProcessingJob(input) {
      const request = input as unknown as DescribeProcessingJobRequest;
      return describeProcessingJobOutput(await processing.describe(request.ProcessingJobName as string));
    },

    async ListProcessingJobs(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListProcessingJobsRequest,
        byNameCreationTimeOrStatus,
        (request) => processing.list(request),
        (j) => ({
          ProcessingJobName: j.name,
          ProcessingJobArn: j.arn,
          CreationTime: new Date(j.creationTime),
          ProcessingEndTime: wireDate(j.processingEndTime),
          LastModifiedTime: new Date(j.lastModifiedTime),
          ProcessingJobStatus: j.status,
          FailureReason: j.failureReason,
          ExitMessage: j.exitMessage,
        }),
      );
      const output: ListProcessingJobsResponse = { ProcessingJobSummaries: summaries, NextToken: nextToken };
      return output;
    },

    async StopProcessingJob(input) {
      const request = input as unknown as StopProcessingJobRequest;
      await processing.stop(request.ProcessingJobName as string);
      return {};
    },
  };
}
