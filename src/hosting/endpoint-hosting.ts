/**
 * The data plane's port: what the endpoint control plane asks of hosting. The implementation
 * (`ProcessEndpointHosting`) prepares models, runs model servers and routes invocations.
 */

/** One container of a variant's model, as the control plane resolved it from the Model. */
export interface HostedContainer {
  /** Image URI (user image, built-in algorithm or framework image) launched with `serve`. */
  image: string;
  /** S3 URI of model.tar.gz (SingleModel) or an S3 prefix (MultiModel); absent: no model data. */
  modelDataUrl?: string;
  /** The container's Environment. */
  environment: Record<string, string>;
  /** MultiModel: TargetModel names an archive under `modelDataUrl`. */
  mode: 'SingleModel' | 'MultiModel';
  /** ContainerHostname of a pipeline container (used in logs / errors). */
  containerHostname?: string;
  /** MultiModelConfig.ModelCacheSetting (MultiModel only): `Disabled` unloads and deletes a model after each invocation. Default Enabled. */
  modelCacheSetting?: 'Enabled' | 'Disabled';
}

/** One production variant of a deployment. */
export interface VariantPlan {
  variantName: string;
  modelName: string;
  /** The model's containers; more than one is a serial inference pipeline (output of one → input of the next). */
  containers: HostedContainer[];
  instanceCount: number;
  instanceType: string;
  weight: number;
  /** ContainerStartupHealthCheckTimeoutInSeconds: how long /ping may take to answer 200 (default: the hosting config's, 600 s). */
  startupTimeoutSeconds?: number;
}

/** What to deploy for an endpoint: one endpoint config's variants. */
export interface DeploymentPlan {
  endpointName: string;
  /** Unique per CreateEndpoint / UpdateEndpoint. */
  deploymentId: string;
  variants: VariantPlan[];
}

/** A deployment could not be brought up; its message becomes the endpoint's FailureReason. */
export class HostingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostingError';
  }
}

/** Runs endpoints' model servers and routes their traffic. */
export interface EndpointHosting {
  /**
   * Prepares models (download + unpack into each instance's /opt/ml/model), starts every instance's
   * model server, resolves when all answer GET /ping 200.
   * @throws HostingError (and leaves no process behind) otherwise.
   */
  deploy(plan: DeploymentPlan): Promise<void>;
  /**
   * Routes the endpoint's new requests to this deployment from now on (atomic switch); the previous
   * deployment drains its in-flight requests and is stopped.
   */
  activate(endpointName: string, deploymentId: string): Promise<void>;
  /** Stops one deployment (or all of the endpoint's) and removes its files; idempotent. */
  undeploy(endpointName: string, deploymentId?: string): Promise<void>;
  /** UpdateEndpointWeightsAndCapacities on the active deployment. */
  setWeights(endpointName: string, variants: { variantName: string; weight?: number; instanceCount?: number }[]): Promise<void>;
  /** Current per-variant weights/instance counts of the active deployment (for DescribeEndpoint). */
  describe(endpointName: string): { variantName: string; weight: number; instanceCount: number }[] | undefined;
  /** Server shutdown: stops every model server. */
  close(): Promise<void>;
}
