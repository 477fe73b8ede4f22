/**
 * One production variant of an endpoint configuration (SageMaker's ProductionVariant, camelCased).
 * The members the platform acts on are typed; the others are kept and echoed.
 */
export interface ProductionVariantRecord {
  readonly variantName: string;
  readonly modelName?: string;
  readonly initialInstanceCount?: number;
  readonly instanceType?: string;
  /** 1.0 when the request gave none. */
  readonly initialVariantWeight?: number;
  /** ContainerStartupHealthCheckTimeoutInSeconds (60–3600). */
  readonly containerStartupHealthCheckTimeoutInSeconds?: number;
  readonly modelDataDownloadTimeoutInSeconds?: number;
  readonly serverlessConfig?: unknown;
  readonly [member: string]: unknown;
}

/**
 * An endpoint configuration as stored: every member of CreateEndpointConfig (camelCased, Tags
 * aside) plus what the service assigns. Immutable once created.
 */
export interface EndpointConfigRecord {
  /** As created (unique per account case-insensitively). */
  readonly name: string;
  readonly arn: string;
  /** Epoch milliseconds. */
  readonly creationTime: number;
  readonly productionVariants: readonly ProductionVariantRecord[];
  /** DataCaptureConfig, KmsKeyId, AsyncInferenceConfig … as given, echoed by DescribeEndpointConfig. */
  readonly [member: string]: unknown;
}

/** What ListEndpointConfigs sorts by. */
export type EndpointConfigSortField = 'name' | 'creationTime';
