import type {
  CreateTrainingJobRequest,
  CreateTrainingJobResponse,
  DescribeTrainingJobRequest,
  DescribeTrainingJobResponse,
  ListTrainingJobsRequest,
  ListTrainingJobsResponse,
  StopTrainingJobRequest,
  UpdateTrainingJobRequest,
  UpdateTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import { trainingSeconds, type TrainingJobRecord, type TrainingService } from '../../training/index.js';
import { byNameCreationTimeOrStatus, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { wireDate } from './wire-records.js';

/** DescribeTrainingJob's response for a record: the request's members echoed, status, times, results. */
function describeTrainingJobOutput(job: TrainingJobRecord): DescribeTrainingJobResponse {
  const spec = job.spec;
  const seconds = trainingSeconds(job);
  return {
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    ModelArtifacts: { S3ModelArtifacts: job.modelArtifacts ?? '' },
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    FailureReason: job.failureReason,
    HyperParameters: spec.HyperParameters ?? {},
    AlgorithmSpecification: spec.AlgorithmSpecification,
    RoleArn: spec.RoleArn,
    InputDataConfig: spec.InputDataConfig,
    OutputDataConfig: spec.OutputDataConfig,
    ResourceConfig: spec.ResourceConfig ? { ...spec.ResourceConfig, InstanceCount: spec.ResourceConfig.InstanceCount ?? 1 } : undefined,
    VpcConfig: spec.VpcConfig,
    StoppingCondition: spec.StoppingCondition ?? { MaxRuntimeInSeconds: 86400 },
    CreationTime: new Date(job.creationTime),
    TrainingStartTime: wireDate(job.trainingStartTime),
    TrainingEndTime: wireDate(job.trainingEndTime),
    LastModifiedTime: new Date(job.lastModifiedTime),
    SecondaryStatusTransitions: job.transitions.map((t) => ({
      Status: t.status,
      StartTime: new Date(t.startTime),
      EndTime: wireDate(t.endTime),
      StatusMessage: t.statusMessage,
    })),
    FinalMetricDataList: (job.finalMetrics ?? []).map((m) => ({ MetricName: m.metricName, Value: m.value, Timestamp: new Date(m.timestamp) })),
    EnableNetworkIsolation: spec.EnableNetworkIsolation ?? false,
    EnableInterContainerTrafficEncryption: spec.EnableInterContainerTrafficEncryption ?? false,
    EnableManagedSpotTraining: spec.EnableManagedSpotTraining ?? false,
    CheckpointConfig: spec.CheckpointConfig,
    TrainingTimeInSeconds: seconds,
    BillableTimeInSeconds: seconds,
    DebugHookConfig: spec.DebugHookConfig,
    ExperimentConfig: spec.ExperimentConfig,
    TensorBoardOutputConfig: spec.TensorBoardOutputConfig,
    Environment: spec.Environment,
    RetryStrategy: spec.RetryStrategy,
    ProfilerConfig: spec.ProfilerConfig,
    ProfilerRuleConfigurations: spec.ProfilerRuleConfigurations,
    RemoteDebugConfig: spec.RemoteDebugConfig,
  };
}

/** CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs, UpdateTrainingJob and StopTrainingJob over a TrainingService. */
export function trainingOperations(training: TrainingService): OperationTable {
  return {
    async CreateTrainingJob(input) {
      const { TrainingJobName, Tags, ...spec } = input as unknown as CreateTrainingJobRequest;
      const job = await training.create(TrainingJobName as string, spec, tagsFromWire(Tags));
      const output: CreateTrainingJobResponse = { TrainingJobArn: job.arn };
      return output;
    },

    async DescribeTrainingJob(input) {
      const request = input as unknown as DescribeTrainingJobRequest;
      return describeTrainingJobOutput(await training.describe(request.TrainingJobName as string));
    },

    async ListTrainingJobs(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListTrainingJobsRequest,
        byNameCreationTimeOrStatus,
        (request) => training.list(request),
        (j) => ({
          TrainingJobName: j.name,
          TrainingJobArn: j.arn,
          CreationTime: new Date(j.creationTime),
          TrainingEndTime: wireDate(j.trainingEndTime),
          LastModifiedTime: new Date(j.lastModifiedTime),
          TrainingJobStatus: j.status,
          SecondaryStatus: j.secondaryStatus,
        }),
      );
      const output: ListTrainingJobsResponse = { TrainingJobSummaries: summaries, NextToken: nextToken };
      return output;
    },

    async UpdateTrainingJob(input) {
      const request = input as unknown as UpdateTrainingJobRequest;
      const job = await training.update(request.TrainingJobName as string, {
        ...(request.ProfilerConfig ? { ProfilerConfig: request.ProfilerConfig } : {}),
        ...(request.ProfilerRuleConfigurations ? { ProfilerRuleConfigurations: request.ProfilerRuleConfigurations } : {}),
        ...(request.RemoteDebugConfig ? { RemoteDebugConfig: request.RemoteDebugConfig } : {}),
        ...(request.ResourceConfig?.KeepAlivePeriodInSeconds !== undefined
          ? { KeepAlivePeriodInSeconds: request.ResourceConfig.KeepAlivePeriodInSeconds }
          : {}),
      });
      const output: UpdateTrainingJobResponse = { TrainingJobArn: job.arn };
      return output;
    },

    async StopTrainingJob(input) {
      const request = input as unknown as StopTrainingJobRequest;
      await training.stop(request.TrainingJobName as string);
      return {};
    },
  };
}
