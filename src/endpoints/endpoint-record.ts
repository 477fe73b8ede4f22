import type { VariantPlan } from '../hosting/endpoint-hosting.js';

/** SageMaker's EndpointStatus values (Salvia uses Creating, InService, Updating, Deleting and Failed). */
export type EndpointStatus =
  'OutOfService' | 'Creating' | 'Updating' | 'SystemUpdating' | 'RollingBack' | 'InService' | 'Deleting' | 'Failed' | 'UpdateRollbackFailed';

/** One image a variant runs (DescribeEndpoint's DeployedImage). */
export interface DeployedImageRecord {
  readonly specifiedImage: string;
  readonly resolvedImage: string;
  /** Epoch milliseconds. */
  readonly resolutionTime: number;
}

/** One deployment of an endpoint: an endpoint configuration resolved into what hosting runs. */
export interface DeploymentRecord {
  /** Unique per CreateEndpoint / UpdateEndpoint (and per re-deployment after a restart). */
  readonly id: string;
  readonly endpointConfigName: string;
  /** The variants with their models' containers, resolved when the deployment was asked for (so deleting the model or config later changes nothing). */
  readonly variants: readonly VariantPlan[];
  /** Epoch milliseconds. */
  readonly startTime: number;
}

/** Per-variant weight and instance count asked for by UpdateEndpointWeightsAndCapacities. */
export interface DesiredWeightAndCapacity {
  readonly variantName: string;
  readonly weight?: number;
  readonly instanceCount?: number;
}

/** An endpoint as stored. */
export interface EndpointRecord {
  /** As created (unique per account case-insensitively). */
  readonly name: string;
  readonly arn: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
  readonly lastModifiedTime: number;
  readonly status: EndpointStatus;
  readonly failureReason?: string;
  /** The deployment serving traffic (InService, Updating) or being created (Creating, Failed). */
  readonly deployment: DeploymentRecord;
  /** Whether `deployment` has served traffic (false while Creating and after a failed create). */
  readonly deployed: boolean;
  /** UpdateEndpoint in progress: the deployment that will replace `deployment`. */
  readonly pending?: DeploymentRecord;
  /** UpdateEndpointWeightsAndCapacities in progress. */
  readonly desiredWeights?: readonly DesiredWeightAndCapacity[];
  /** The DeploymentConfig of the last CreateEndpoint/UpdateEndpoint that gave one (camelCased). */
  readonly lastDeploymentConfig?: unknown;
}

/** What ListEndpoints sorts by. */
export type EndpointSortField = 'name' | 'creationTime' | 'status';
