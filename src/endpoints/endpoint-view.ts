import type { VariantPlan } from '../hosting/endpoint-hosting.js';
import type { DeployedImageRecord, DeploymentRecord, EndpointRecord } from './endpoint-record.js';

/** One variant as DescribeEndpoint shows it (ProductionVariantSummary, camelCased). */
export interface VariantSummary {
  readonly variantName: string;
  readonly deployedImages: readonly DeployedImageRecord[];
  readonly currentWeight?: number;
  readonly desiredWeight: number;
  readonly currentInstanceCount?: number;
  readonly desiredInstanceCount: number;
  /** Only for variants of a pending deployment. */
  readonly instanceType?: string;
}

/** DescribeEndpoint's view of an endpoint: the record plus its variants now. */
export interface EndpointView {
  readonly record: EndpointRecord;
  /** Absent until the endpoint first served traffic (Creating, Failed at create). */
  readonly productionVariants?: readonly VariantSummary[];
  /** While an UpdateEndpoint is in progress (PendingDeploymentSummary). */
  readonly pending?: { readonly endpointConfigName: string; readonly startTime: number; readonly productionVariants: readonly VariantSummary[] };
}

/** What hosting reports of an active deployment's variants. */
export type CurrentVariants = ReadonlyArray<{ variantName: string; weight: number; instanceCount: number }> | undefined;

const images = (variant: VariantPlan, deployment: DeploymentRecord): DeployedImageRecord[] =>
  variant.containers.map((c) => ({ specifiedImage: c.image, resolvedImage: c.image, resolutionTime: deployment.startTime }));

/**
 * Builds DescribeEndpoint's variants: desired values from the record (a pending
 * UpdateEndpointWeightsAndCapacities wins), current ones from hosting when it knows the endpoint.
 */
export function endpointView(record: EndpointRecord, current: CurrentVariants): EndpointView {
  const { deployment, pending } = record;
  const productionVariants = record.deployed
    ? deployment.variants.map((variant): VariantSummary => {
        const desired = record.desiredWeights?.find((d) => d.variantName === variant.variantName);
        const now = current?.find((c) => c.variantName === variant.variantName);
        const inService = record.status === 'InService' || record.status === 'Updating';
        return {
          variantName: variant.variantName,
          deployedImages: images(variant, deployment),
          ...(now ? { currentWeight: now.weight } : inService ? { currentWeight: variant.weight } : {}),
          desiredWeight: desired?.weight ?? variant.weight,
          ...(now ? { currentInstanceCount: now.instanceCount } : inService ? { currentInstanceCount: variant.instanceCount } : {}),
          desiredInstanceCount: desired?.instanceCount ?? variant.instanceCount,
        };
      })
    : undefined;
  return {
    record,
    ...(productionVariants ? { productionVariants } : {}),
    ...(pending
      ? {
          pending: {
            endpointConfigName: pending.endpointConfigName,
            startTime: pending.startTime,
            productionVariants: pending.variants.map((variant) => ({
              variantName: variant.variantName,
              deployedImages: images(variant, pending),
              desiredWeight: variant.weight,
              desiredInstanceCount: variant.instanceCount,
              instanceType: variant.instanceType,
            })),
          },
        }
      : {}),
  };
}
