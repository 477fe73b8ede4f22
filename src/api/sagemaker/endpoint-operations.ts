import type {
  CreateEndpointInput,
  CreateEndpointOutput,
  DeleteEndpointInput,
  DeploymentConfig,
  DescribeEndpointInput,
  DescribeEndpointOutput,
  EndpointStatus,
  ListEndpointsInput,
  ListEndpointsOutput,
  PendingProductionVariantSummary,
  ProductionVariantInstanceType,
  ProductionVariantSummary,
  UpdateEndpointInput,
  UpdateEndpointOutput,
  UpdateEndpointWeightsAndCapacitiesInput,
  UpdateEndpointWeightsAndCapacitiesOutput,
} from '@aws-sdk/client-sagemaker';
import type { EndpointService, EndpointView, VariantSummary } from '../../endpoints/index.js';
import { byNameCreationTimeOrStatus, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { toRecord, toWire } from './wire-records.js';

function variantWire(variant: VariantSummary): ProductionVariantSummary & PendingProductionVariantSummary {
  return {
    VariantName: variant.variantName,
    DeployedImages: variant.deployedImages.map((image) => ({
      SpecifiedImage: image.specifiedImage,
      ResolvedImage: image.resolvedImage,
      ResolutionTime: new Date(image.resolutionTime),
    })),
    CurrentWeight: variant.currentWeight,
    DesiredWeight: variant.desiredWeight,
    CurrentInstanceCount: variant.currentInstanceCount,
    DesiredInstanceCount: variant.desiredInstanceCount,
    InstanceType: variant.instanceType as ProductionVariantInstanceType | undefined,
  };
}

/** DescribeEndpoint's output for a view of the endpoint. */
function describeEndpointOutput(view: EndpointView): DescribeEndpointOutput {
  const { record } = view;
  return {
    EndpointName: record.name,
    EndpointArn: record.arn,
    EndpointConfigName: record.deployment.endpointConfigName,
    ProductionVariants: view.productionVariants?.map(variantWire),
    EndpointStatus: record.status as EndpointStatus,
    FailureReason: record.failureReason,
    CreationTime: new Date(record.creationTime),
    LastModifiedTime: new Date(record.lastModifiedTime),
    LastDeploymentConfig: toWire<DeploymentConfig>('DeploymentConfig', record.lastDeploymentConfig),
    PendingDeploymentSummary: view.pending
      ? {
          EndpointConfigName: view.pending.endpointConfigName,
          StartTime: new Date(view.pending.startTime),
          ProductionVariants: view.pending.productionVariants.map(variantWire),
        }
      : undefined,
  };
}

/** CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint, UpdateEndpointWeightsAndCapacities and DeleteEndpoint over an EndpointService. */
export function endpointOperations(endpoints: EndpointService): OperationTable {
  return {
    async CreateEndpoint(input) {
      const request = input as unknown as CreateEndpointInput;
      const deploymentConfig = toRecord<unknown>('DeploymentConfig', request.DeploymentConfig);
      const created = await endpoints.create(
        request.EndpointName as string,
        request.EndpointConfigName as string,
        deploymentConfig !== undefined ? { deploymentConfig } : {},
        tagsFromWire(request.Tags),
      );
      const output: CreateEndpointOutput = { EndpointArn: created.arn };
      return output;
    },

    async DescribeEndpoint(input) {
      const request = input as unknown as DescribeEndpointInput;
      return describeEndpointOutput(await endpoints.describe(request.EndpointName as string));
    },

    async ListEndpoints(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListEndpointsInput,
        byNameCreationTimeOrStatus,
        (request) => endpoints.list(request),
        (e) => ({
          EndpointName: e.name,
          EndpointArn: e.arn,
          CreationTime: new Date(e.creationTime),
          LastModifiedTime: new Date(e.lastModifiedTime),
          EndpointStatus: e.status as EndpointStatus,
        }),
      );
      const output: ListEndpointsOutput = { Endpoints: summaries, NextToken: nextToken };
      return output;
    },

    async UpdateEndpoint(input) {
      const request = input as unknown as UpdateEndpointInput;
      const deploymentConfig = toRecord<unknown>('DeploymentConfig', request.DeploymentConfig);
      const updated = await endpoints.update(request.EndpointName as string, request.EndpointConfigName as string, {
        ...(request.RetainAllVariantProperties !== undefined ? { retainAllVariantProperties: request.RetainAllVariantProperties } : {}),
        ...(request.ExcludeRetainedVariantProperties
          ? { excludeRetainedVariantProperties: request.ExcludeRetainedVariantProperties.map((p) => p.VariantPropertyType as string) }
          : {}),
        ...(deploymentConfig !== undefined ? { deploymentConfig } : {}),
        ...(request.RetainDeploymentConfig !== undefined ? { retainDeploymentConfig: request.RetainDeploymentConfig } : {}),
      });
      const output: UpdateEndpointOutput = { EndpointArn: updated.arn };
      return output;
    },

    async UpdateEndpointWeightsAndCapacities(input) {
      const request = input as unknown as UpdateEndpointWeightsAndCapacitiesInput;
      const updated = await endpoints.updateWeights(
        request.EndpointName as string,
        (request.DesiredWeightsAndCapacities ?? []).map((d) => ({
          variantName: d.VariantName as string,
          ...(d.DesiredWeight !== undefined ? { weight: d.DesiredWeight } : {}),
          ...(d.DesiredInstanceCount !== undefined ? { instanceCount: d.DesiredInstanceCount } : {}),
        })),
      );
      const output: UpdateEndpointWeightsAndCapacitiesOutput = { EndpointArn: updated.arn };
      return output;
    },

    async DeleteEndpoint(input) {
      const request = input as unknown as DeleteEndpointInput;
      await endpoints.delete(request.EndpointName as string);
      return {};
    },
  };
}
