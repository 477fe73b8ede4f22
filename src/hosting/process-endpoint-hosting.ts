import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { bubblewrapWorks } from '../executors/process/sandbox.js';
import type { ImageCatalog, RuntimeEnvironments } from '../images/index.js';
import type { LogAppender } from '../logs/index.js';
import type { ObjectStore } from '../objectstore/index.js';
import type { BatchFleet, BatchHosting, FleetPlan } from './batch-hosting.js';
import { HostingError, type DeploymentPlan, type EndpointHosting, type VariantPlan } from './endpoint-hosting.js';
import { endpointLogGroup } from './model-errors.js';
import { Deployment, HostedVariant, type HostedInstance } from './hosted-deployment.js';
import { launchInstance, type LaunchContext, type PreparedContainer } from './instance-launcher.js';
import { reapLeftovers } from './reap-leftovers.js';

/** The slice of the configuration hosting needs. */
export interface HostingConfig {
  /** Deployments live under `<dataDir>/endpoints/<endpoint>/<deployment>/`. */
  readonly dataDir: string;
  readonly region: string;
  /** Named in ModelErrors' log links. */
  readonly accountId: string;
  /** Memory a multi-model instance's loaded models may use (config.multiModelMemoryMib); default the instance type's memory. */
  readonly multiModelMemoryMib?: number;
  /** Disk a multi-model instance's unpacked models may fill (config.multiModelDiskMib). Default 10 GiB. */
  readonly multiModelDiskMib?: number;
  /** Run model servers under bubblewrap when it works (real /opt/ml); else plain processes with SAGEMAKER_BASE_DIR. */
  readonly sandbox: boolean;
  /** Inherited environment of model servers (config.jobBaseEnv). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Default time for /ping to answer 200 after a start (a variant's startupTimeoutSeconds overrides it). Default 600 s. */
  readonly startupTimeoutSeconds?: number;
  /** SIGTERM → SIGKILL delay when a model server is stopped. Default 30 s, as SageMaker. */
  readonly stopGraceSeconds?: number;
  /** How long a replaced deployment may take to finish its in-flight requests before it is stopped anyway. Default 70 s (the 60 s invocation timeout and some). */
  readonly drainTimeoutSeconds?: number;
  /** First restart delay of a crashed model server (doubles per crash, up to 30 s). Default 1 s. */
  readonly restartDelayMs?: number;
}

/** Ports and services hosting uses. */
export interface HostingDeps {
  readonly objectStore: ObjectStore;
  readonly images: Pick<ImageCatalog, 'resolve'>;
  readonly runtimes: Pick<RuntimeEnvironments, 'ensure'>;
  readonly logs: LogAppender;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
}

/** What the router reads: the deployment that serves an endpoint now. */
export interface ActiveDeployments {
  /** The endpoint's active deployment, undefined when the endpoint is not (or no longer) InService. */
  active(endpointName: string): Deployment | undefined;
}

/**
 * EndpointHosting with model servers as local processes (children of this server, under bubblewrap
 * when it works): deploy prepares every instance (model unpacked, server started, /ping 200),
 * activate switches the endpoint's traffic atomically and drains the previous deployment before
 * stopping it, setWeights changes weights and scales instance counts. Traffic is routed by
 * HostingRouter over `active()`. `startFleet` runs the same model servers for a batch transform job.
 */
export class ProcessEndpointHosting implements EndpointHosting, ActiveDeployments, BatchHosting {
  private readonly deployments = new Map<string, Deployment>();
  /** Batch transform fleets (stopped on close). */
  private readonly fleets = new Set<Deployment>();
  private readonly activeByEndpoint = new Map<string, Deployment>();
  private readonly sandbox: boolean;

  constructor(
    private readonly config: HostingConfig,
    private readonly deps: HostingDeps,
  ) {
    this.sandbox = config.sandbox && bubblewrapWorks();
    const reaped = reapLeftovers(path.join(config.dataDir, 'endpoints'));
    if (reaped > 0) deps.logger?.warn(`stopped ${reaped} model server(s) a previous server left running`);
    if (config.sandbox && !this.sandbox)
      deps.logger?.warn('bubblewrap does not work here: model servers run as plain processes (SAGEMAKER_BASE_DIR instead of /opt/ml)');
  }

  active(endpointName: string): Deployment | undefined {
    return this.activeByEndpoint.get(endpointName);
  }

  async deploy(plan: DeploymentPlan): Promise<void> {
    const key = deploymentKey(plan.endpointName, plan.deploymentId);
    if (this.deployments.has(key)) throw new HostingError(`Deployment ${plan.deploymentId} of endpoint ${plan.endpointName} exists already.`);
    const dir = path.join(this.config.dataDir, 'endpoints', safeName(plan.endpointName), safeName(plan.deploymentId));
    const deployment = new Deployment(
      plan.endpointName,
      plan.deploymentId,
      dir,
      plan.variants.map((variant) => new HostedVariant(variant)),
    );
    this.deployments.set(key, deployment);
    try {
      await rm(dir, { recursive: true, force: true });
      await Promise.all(deployment.variants.map((variant) => this.bringUp(deployment, variant, variant.plan.instanceCount)));
      if (deployment.cancelled) throw new HostingError(`Deployment ${plan.deploymentId} of endpoint ${plan.endpointName} was cancelled.`);
    } catch (error) {
      deployment.cancelled = true;
      await deployment.stop(0).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      if (this.deployments.get(key) === deployment) this.deployments.delete(key);
      throw error instanceof HostingError
        ? error
        : new HostingError(`Could not deploy endpoint ${plan.endpointName}: ${(error as Error).message}`, { cause: error });
    }
  }

  async activate(endpointName: string, deploymentId: string): Promise<void> {
    const deployment = this.deployments.get(deploymentKey(endpointName, deploymentId));
    if (!deployment) throw new HostingError(`Deployment ${deploymentId} of endpoint ${endpointName} is not deployed.`);
    const previous = this.activeByEndpoint.get(endpointName);
    this.activeByEndpoint.set(endpointName, deployment);
    if (previous && previous !== deployment) await this.retire(previous, true);
  }

  async undeploy(endpointName: string, deploymentId?: string): Promise<void> {
    const doomed = [...this.deployments.values()].filter(
      (deployment) => deployment.endpointName === endpointName && (deploymentId === undefined || deployment.id === deploymentId),
    );
    const active = this.activeByEndpoint.get(endpointName);
    if (active && (deploymentId === undefined || active.id === deploymentId)) this.activeByEndpoint.delete(endpointName);
    await Promise.all(doomed.map((deployment) => this.retire(deployment, false)));
    const root = path.join(this.config.dataDir, 'endpoints', safeName(endpointName));
    await rm(deploymentId === undefined ? root : path.join(root, safeName(deploymentId)), { recursive: true, force: true });
  }

  async setWeights(endpointName: string, variants: { variantName: string; weight?: number; instanceCount?: number }[]): Promise<void> {
    const deployment = this.activeByEndpoint.get(endpointName);
    if (!deployment) throw new HostingError(`Endpoint ${endpointName} has no active deployment.`);
    for (const change of variants) {
      if (!deployment.variant(change.variantName)) throw new HostingError(`Endpoint ${endpointName} has no production variant ${change.variantName}.`);
    }
    const scaling: Promise<void>[] = [];
    for (const change of variants) {
      const variant = deployment.variant(change.variantName) as HostedVariant;
      if (change.weight !== undefined) variant.weight = change.weight;
      if (change.instanceCount === undefined || change.instanceCount === variant.instances.length) continue;
      if (change.instanceCount > variant.instances.length) scaling.push(this.bringUp(deployment, variant, change.instanceCount - variant.instances.length));
      else scaling.push(this.scaleIn(variant, change.instanceCount));
    }
    await Promise.all(scaling);
  }

  describe(endpointName: string): { variantName: string; weight: number; instanceCount: number }[] | undefined {
    return this.activeByEndpoint
      .get(endpointName)
      ?.variants.map((variant) => ({ variantName: variant.name, weight: variant.weight, instanceCount: variant.instanceCount }));
  }

  /**
   * A transform job's instances: one variant named after the job, logging to `plan.logGroup`, started
   * like an endpoint's; an abort of `plan.signal` stops the instances still starting.
   */
  async startFleet(plan: FleetPlan): Promise<BatchFleet> {
    const stopped = (): HostingError => new HostingError(`Transform job ${plan.name} was stopped.`);
    // Already stopped: nothing is prepared (images, Python environments, model downloads) only to be thrown away.
    if (plan.signal?.aborted) throw stopped();
    const variant = new HostedVariant({
      variantName: plan.name,
      modelName: plan.name,
      containers: [...plan.containers],
      instanceCount: plan.instanceCount,
      instanceType: plan.instanceType,
      weight: 1,
    });
    const fleet = new Deployment(plan.name, 'batch', plan.dir, [variant]);
    const abort = (): void => {
      fleet.cancelled = true;
      void fleet.stop(0);
    };
    this.fleets.add(fleet);
    plan.signal?.addEventListener('abort', abort, { once: true });
    try {
      await rm(plan.dir, { recursive: true, force: true });
      await this.bringUp(fleet, variant, plan.instanceCount, { logGroup: plan.logGroup, purpose: 'transform' });
      if (fleet.cancelled) throw stopped();
    } catch (error) {
      fleet.cancelled = true;
      await fleet.stop(0).catch(() => undefined);
      await rm(plan.dir, { recursive: true, force: true }).catch(() => undefined);
      this.fleets.delete(fleet);
      throw error instanceof HostingError
        ? error
        : new HostingError(`Could not start the model servers of transform job ${plan.name}: ${(error as Error).message}`, { cause: error });
    } finally {
      plan.signal?.removeEventListener('abort', abort);
    }
    let stopping: Promise<void> | undefined;
    return {
      instances: variant.instances,
      stop: (graceMs = this.stopGraceMs()) =>
        (stopping ??= (async () => {
          fleet.cancelled = true;
          await fleet.stop(graceMs);
          await rm(plan.dir, { recursive: true, force: true });
          this.fleets.delete(fleet);
        })()),
    };
  }

  async close(): Promise<void> {
    const fleets = [...this.fleets];
    this.fleets.clear();
    for (const fleet of fleets) fleet.cancelled = true;
    await Promise.all(fleets.map((fleet) => fleet.stop()));
    const all = [...this.deployments.values()];
    this.activeByEndpoint.clear();
    this.deployments.clear();
    for (const deployment of all) deployment.cancelled = true;
    await Promise.all(all.map((deployment) => deployment.stop()));
  }

  /** Starts `count` more instances of `variant` (in parallel); they take traffic once all are ready. */
  private async bringUp(deployment: Deployment, variant: HostedVariant, count: number, batch?: Pick<LaunchContext, 'logGroup' | 'purpose'>): Promise<void> {
    const prepared = await this.prepare(variant.plan, batch?.purpose === 'transform' ? `Transform job ${variant.name}` : undefined);
    const ctx = { ...this.launchContext(deployment, variant.plan), ...batch };
    const launch = async (): Promise<HostedInstance> => {
      let created: HostedInstance | undefined;
      try {
        return await launchInstance(ctx, variant, prepared, (instance) => {
          created = instance;
          deployment.launching.add(instance);
        });
      } finally {
        if (created) deployment.launching.delete(created);
      }
    };
    const started = await Promise.allSettled(Array.from({ length: count }, launch));
    const instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure || deployment.cancelled) {
      await Promise.all(instances.map((instance) => instance.stop(0)));
      if (failure) throw failure.reason;
      return;
    }
    variant.instances = [...variant.instances, ...instances];
  }

  private async scaleIn(variant: HostedVariant, count: number): Promise<void> {
    const removed = variant.instances.slice(count);
    variant.instances = variant.instances.slice(0, count);
    await Promise.all(removed.map((instance) => this.retireInstance(instance)));
  }

  /** Waits (bounded) for an instance's outstanding requests, then stops it and removes its files. */
  private async retireInstance(instance: HostedInstance): Promise<void> {
    await instance.drained(this.drainTimeoutMs());
    await instance.stop(this.stopGraceMs());
    await rm(instance.dir, { recursive: true, force: true });
  }

  /** Stops a deployment (after its in-flight requests finished when `drain`) and forgets it. */
  private async retire(deployment: Deployment, drain: boolean): Promise<void> {
    deployment.cancelled = true;
    if (drain) await deployment.drained(this.drainTimeoutMs());
    const key = deploymentKey(deployment.endpointName, deployment.id);
    if (this.deployments.get(key) === deployment) this.deployments.delete(key);
    await deployment.stop(this.stopGraceMs());
    await rm(deployment.dir, { recursive: true, force: true });
  }

  /** Resolves each container's image (and a framework image's Python environment). Throws HostingError naming `subject`. */
  private async prepare(plan: VariantPlan, subject = `Production variant ${plan.variantName}`): Promise<PreparedContainer[]> {
    if (plan.containers.length > 1 && plan.containers.some((container) => container.mode === 'MultiModel'))
      throw new HostingError(`${subject}: a multi-model model has exactly one container.`);
    const prepared: PreparedContainer[] = [];
    for (const container of plan.containers) {
      try {
        const image = await this.deps.images.resolve(container.image, { purpose: 'serve', environment: container.environment });
        const python = image.kind === 'script-mode' ? await this.deps.runtimes.ensure(image.requirements, (line) => this.deps.logger?.info(line)) : undefined;
        prepared.push({ container, image, ...(python ? { python } : {}) });
      } catch (error) {
        throw new HostingError(`${subject}: image ${container.image} cannot serve: ${(error as Error).message}`, { cause: error });
      }
    }
    return prepared;
  }

  private launchContext(deployment: Deployment, plan: VariantPlan): LaunchContext {
    return {
      endpointName: deployment.endpointName,
      logGroup: endpointLogGroup(deployment.endpointName),
      deploymentDir: deployment.dir,
      cancelled: () => deployment.cancelled,
      objectStore: this.deps.objectStore,
      logs: this.deps.logs,
      sandbox: this.sandbox,
      baseEnv: this.config.baseEnv,
      region: this.config.region,
      stopGraceMs: this.stopGraceMs(),
      startupTimeoutMs: (plan.startupTimeoutSeconds ?? this.config.startupTimeoutSeconds ?? 600) * 1000,
      ...(this.config.restartDelayMs !== undefined ? { restartDelayMs: this.config.restartDelayMs } : {}),
      multiModel: {
        ...(this.config.multiModelMemoryMib !== undefined ? { memoryMib: this.config.multiModelMemoryMib } : {}),
        diskMib: this.config.multiModelDiskMib ?? 10240,
        scope: { region: this.config.region, accountId: this.config.accountId },
      },
    };
  }

  private stopGraceMs(): number {
    return (this.config.stopGraceSeconds ?? 30) * 1000;
  }

  private drainTimeoutMs(): number {
    return (this.config.drainTimeoutSeconds ?? 70) * 1000;
  }
}

function deploymentKey(endpointName: string, deploymentId: string): string {
  return `${endpointName}\u0000${deploymentId}`;
}

/** A name as a single path segment (endpoint names are [a-zA-Z0-9-]; deployment ids are the control plane's). */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
