/**
 * One container of a model, in internal camelCase form. The members the platform acts on are
 * typed; every other member of SageMaker's ContainerDefinition is kept (camelCased) and echoed.
 */
export interface ContainerRecord {
  readonly image?: string;
  readonly modelDataUrl?: string;
  /** `SingleModel` (default) or `MultiModel`. */
  readonly mode?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly containerHostname?: string;
  readonly [member: string]: unknown;
}

/** A model as stored (metadata only: Salvia serves it when an endpoint uses it). */
export interface ModelRecord {
  /** As created (names are unique per account case-insensitively). */
  readonly name: string;
  readonly arn: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
  readonly primaryContainer?: ContainerRecord;
  readonly containers?: readonly ContainerRecord[];
  readonly inferenceExecutionConfig?: { readonly mode?: string };
  readonly executionRoleArn?: string;
  readonly vpcConfig?: { readonly securityGroupIds?: readonly string[]; readonly subnets?: readonly string[] };
  readonly enableNetworkIsolation: boolean;
}

/** What ListModels sorts by. */
export type ModelSortField = 'name' | 'creationTime';
