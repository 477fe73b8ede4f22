import type { HostedContainer } from './endpoint-hosting.js';
import type { HostedInstance } from './hosted-deployment.js';

/** The model servers one batch transform job needs. */
export interface FleetPlan {
  /** The transform job's name: messages name it, and each instance logs to stream `<name>/<instance-id>` (pipelines: `/<container>` appended). */
  readonly name: string;
  /** The model's containers with the job's environment merged in; more than one is a serial inference pipeline. */
  readonly containers: readonly HostedContainer[];
  readonly instanceCount: number;
  readonly instanceType: string;
  /** CloudWatch Logs group of the servers' output (`/aws/sagemaker/TransformJobs`). */
  readonly logGroup: string;
  /** Host directory for the instances' /opt/ml trees (removed when the fleet stops). */
  readonly dir: string;
  /** Aborting stops the instances being started (startFleet then throws HostingError). */
  readonly signal?: AbortSignal;
}

/** Running instances of a fleet, every container ready (GET /ping 200) when startFleet resolved. */
export interface BatchFleet {
  readonly instances: readonly HostedInstance[];
  /** Stops every model server (SIGTERM, SIGKILL after the hosting grace period, or `graceMs`) and removes the fleet's files; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** What batch transform asks of hosting: model servers without an endpoint or a router in front of them. */
export interface BatchHosting {
  /**
   * Prepares the containers' images and models and starts `plan.instanceCount` instances in parallel,
   * each with the model unpacked and its servers started with `serve`; resolves once all answer /ping.
   * @throws HostingError naming the cause (and leaves no process behind).
   */
  startFleet(plan: FleetPlan): Promise<BatchFleet>;
}
