import type {
  ContainerDefinition,
  CreateModelInput,
  CreateModelOutput,
  DeleteModelInput,
  DescribeModelInput,
  DescribeModelOutput,
  ListModelsInput,
  ListModelsOutput,
} from '@aws-sdk/client-sagemaker';
import type { ContainerRecord, ModelRecord, ModelService } from '../../models/index.js';
import { byNameOrCreationTime, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { toRecord, toWire } from './wire-records.js';

const container = (wire: ContainerDefinition | undefined): ContainerRecord | undefined => toRecord<ContainerRecord>('ContainerDefinition', wire);
const containerWire = (record: ContainerRecord | undefined): ContainerDefinition | undefined => toWire<ContainerDefinition>('ContainerDefinition', record);

function describeOutput(model: ModelRecord): DescribeModelOutput {
  return {
    ModelName: model.name,
    ModelArn: model.arn,
    CreationTime: new Date(model.creationTime),
    PrimaryContainer: containerWire(model.primaryContainer),
    Containers: model.containers?.map((c) => containerWire(c) as ContainerDefinition),
    InferenceExecutionConfig: model.inferenceExecutionConfig ? { Mode: model.inferenceExecutionConfig.mode as 'Serial' | 'Direct' | undefined } : undefined,
    ExecutionRoleArn: model.executionRoleArn,
    VpcConfig: model.vpcConfig ? { SecurityGroupIds: [...(model.vpcConfig.securityGroupIds ?? [])], Subnets: [...(model.vpcConfig.subnets ?? [])] } : undefined,
    EnableNetworkIsolation: model.enableNetworkIsolation,
  };
}

/** CreateModel, DescribeModel, ListModels and DeleteModel over a ModelService. */
export function modelOperations(models: ModelService): OperationTable {
  return {
    async CreateModel(input) {
      const request = input as unknown as CreateModelInput;
      const containers = request.Containers?.map((c) => container(c) as ContainerRecord);
      const created = await models.create(
        {
          name: request.ModelName as string,
          ...(request.PrimaryContainer ? { primaryContainer: container(request.PrimaryContainer) as ContainerRecord } : {}),
          ...(containers ? { containers } : {}),
          ...(request.InferenceExecutionConfig ? { inferenceExecutionConfig: { mode: request.InferenceExecutionConfig.Mode } } : {}),
          ...(request.ExecutionRoleArn !== undefined ? { executionRoleArn: request.ExecutionRoleArn } : {}),
          ...(request.VpcConfig ? { vpcConfig: { securityGroupIds: request.VpcConfig.SecurityGroupIds, subnets: request.VpcConfig.Subnets } } : {}),
          enableNetworkIsolation: request.EnableNetworkIsolation ?? false,
        },
        tagsFromWire(request.Tags),
      );
      const output: CreateModelOutput = { ModelArn: created.arn };
      return output;
    },

    async DescribeModel(input) {
      const request = input as unknown as DescribeModelInput;
      return describeOutput(await models.describe(request.ModelName as string));
    },

    async ListModels(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListModelsInput,
        byNameOrCreationTime,
        (request) => models.list(request),
        (m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: new Date(m.creationTime) }),
      );
      const output: ListModelsOutput = { Models: summaries, NextToken: nextToken };
      return output;
    },

    async DeleteModel(input) {
      const request = input as unknown as DeleteModelInput;
      await models.delete(request.ModelName as string);
      return {};
    },
  };
}
