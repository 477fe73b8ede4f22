import { clusterResourceConfig } from '../training/index.js';
import type { ProcessingJobSpec } from './processing-job-record.js';

/** What the contract's files depend on. */
export interface ProcessingJobIdentity {
  readonly name: string;
  readonly arn: string;
  readonly spec: ProcessingJobSpec;
}

/**
 * `/opt/ml/config/processingjobconfig.json`: the request echoed as SageMaker writes it — entrypoint
 * and arguments `null` when absent, each S3Input with its defaults and `S3DownloadMode:
 * "StartOfJob"`, `KmsKeyId: null` in the output config.
 */
function processingJobConfig(job: ProcessingJobIdentity): Record<string, unknown> {
  const { spec } = job;
  return {
    ProcessingJobArn: job.arn,
    ProcessingJobName: job.name,
    AppSpecification: {
      ImageUri: spec.AppSpecification?.ImageUri,
      ContainerEntrypoint: spec.AppSpecification?.ContainerEntrypoint ?? null,
      ContainerArguments: spec.AppSpecification?.ContainerArguments ?? null,
    },
    Environment: spec.Environment ?? {},
    ProcessingInputs: (spec.ProcessingInputs ?? []).map((input) => ({
      InputName: input.InputName,
      AppManaged: input.AppManaged ?? false,
      S3Input: {
        S3DataDistributionType: 'FullyReplicated',
        S3CompressionType: 'None',
        S3InputMode: 'File',
        ...input.S3Input,
        S3DownloadMode: 'StartOfJob',
      },
    })),
    ProcessingOutputConfig: {
      Outputs: (spec.ProcessingOutputConfig?.Outputs ?? []).map((output) => ({
        OutputName: output.OutputName,
        AppManaged: output.AppManaged ?? false,
        S3Output: output.S3Output,
      })),
      KmsKeyId: spec.ProcessingOutputConfig?.KmsKeyId ?? null,
    },
    ProcessingResources: spec.ProcessingResources,
    RoleArn: spec.RoleArn,
    StoppingCondition: spec.StoppingCondition ?? { MaxRuntimeInSeconds: 86400 },
  };
}

/** The files of `/opt/ml/config/` for instance `instance` (1-based), name → JSON text. */
export function processingConfigFiles(job: ProcessingJobIdentity, instance: number): Record<string, string> {
  const cluster = job.spec.ProcessingResources?.ClusterConfig;
  return {
    'processingjobconfig.json': JSON.stringify(processingJobConfig(job)),
    'resourceconfig.json': JSON.stringify(clusterResourceConfig(cluster?.InstanceCount ?? 1, cluster?.InstanceType ?? 'ml.m5.large', instance)),
  };
}
