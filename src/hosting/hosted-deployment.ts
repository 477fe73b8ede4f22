import type { LogStreamWriter } from '../logs/index.js';
import type { MultiModelCandidate, MultiModelInstanceCache } from './multi-model/index.js';
import type { HostedContainer, VariantPlan } from './endpoint-hosting.js';
import type { ModelServer } from './model-server.js';
import type { Balanced, Weighted } from './traffic.js';

/** One running instance of a production variant: a model server per container (several: a serial inference pipeline). */
export class HostedInstance implements Balanced, MultiModelCandidate {
  /** Requests forwarded to this instance and not answered yet. */
  outstanding = 0;
  /** The model cache of a multi-model instance (its single container's loaded models). */
  multiModel: MultiModelInstanceCache | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** `i-<17 hex>`, as EC2 instance ids look. */
    readonly id: string,
    readonly variantName: string,
    /** Host directory holding one /opt/ml per container (`c0`, `c1` …). */
    readonly dir: string,
    /** In pipeline order. */
    readonly servers: readonly ModelServer[],
    private readonly logs: readonly LogStreamWriter[],
  ) {}

  /** A request is sent to this instance. */
  begin(): void {
    this.outstanding++;
  }

  /** A request sent to this instance finished (answered or failed). */
  end(): void {
    this.outstanding--;
    if (this.outstanding === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no request is outstanding, or after `timeoutMs` whatever remains. */
  async drained(timeoutMs: number): Promise<void> {
    if (this.outstanding !== 0) await untilWoken(this.idleWaiters, timeoutMs);
  }

  /** Stable name for multi-model routing (rendezvous hashing): the instance id. */
  get key(): string {
    return this.id;
  }

  /** Whether a multi-model instance has `targetModel` loaded or loading. */
  holds(targetModel: string): boolean {
    return this.multiModel?.holds(targetModel) ?? false;
  }

  /** Every container answered /ping and none has exited since. */
  get ready(): boolean {
    return this.servers.every((server) => server.ready);
  }

  /** Host directory that is container `index`'s /opt/ml. */
  optMlDir(index = 0): string {
    return `${this.dir}/c${index}`;
  }

  /** Stops every container (SIGTERM, SIGKILL after `graceMs`) and flushes their logs. */
  async stop(graceMs?: number): Promise<void> {
    this.multiModel?.close();
    await Promise.all(this.servers.map((server) => server.stop(graceMs)));
    await Promise.all(this.logs.map((log) => log.close().catch(() => undefined)));
  }
}

/** A production variant of a deployment: its weight and instances. */
export class HostedVariant implements Weighted {
  weight: number;
  instances: HostedInstance[] = [];
  /** Where the next least-outstanding search starts (round-robin among equally idle instances). */
  cursor = 0;

  /** Mode MultiModel (TargetModel required); fixed by the plan, so worked out once rather than on every request. */
  readonly multiModel: boolean;

  constructor(readonly plan: VariantPlan) {
    this.weight = plan.weight;
    this.multiModel = plan.containers.some((container) => container.mode === 'MultiModel');
  }

  get name(): string {
    return this.plan.variantName;
  }

  /** Instances the variant is meant to have (DesiredInstanceCount). */
  get instanceCount(): number {
    return this.instances.length;
  }
}

/** How a container is named in errors: `primary` for a single-container model, else its hostname (`container-<n>` by default). */
export function containerName(containers: readonly HostedContainer[], index: number): string {
  if (containers.length === 1) return 'primary';
  return containers[index]?.containerHostname ?? `container-${index + 1}`;
}

/**
 * One deployment (what one CreateEndpoint / UpdateEndpoint brought up): its variants, and the number of
 * requests in flight so that a deployment being replaced can drain before it is stopped.
 */
export class Deployment {
  /** Requests that picked this deployment and have not finished. */
  inFlight = 0;
  /** Set by undeploy/close: a deploy still in progress gives up. */
  cancelled = false;
  /** Instances being brought up (not serving yet): stopped too when the deployment is. */
  readonly launching = new Set<HostedInstance>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly endpointName: string,
    readonly id: string,
    readonly dir: string,
    readonly variants: HostedVariant[],
  ) {}

  /** Every instance of every variant. */
  instances(): HostedInstance[] {
    return this.variants.flatMap((variant) => variant.instances);
  }

  variant(name: string): HostedVariant | undefined {
    return this.variants.find((variant) => variant.name === name);
  }

  /** A request starts using this deployment (call synchronously when it is picked). */
  enter(): void {
    this.inFlight++;
  }

  /** A request using this deployment finished (answered or failed). */
  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no request is in flight, or after `timeoutMs` whatever remains. */
  async drained(timeoutMs: number): Promise<void> {
    if (this.inFlight !== 0) await untilWoken(this.idleWaiters, timeoutMs);
  }

  /** Stops every instance. */
  async stop(graceMs?: number): Promise<void> {
    await Promise.all([...this.instances(), ...this.launching].map((instance) => instance.stop(graceMs)));
  }
}

/** Resolves when one of `waiters` is called (the count it guards reached 0), or after `timeoutMs`. */
function untilWoken(waiters: Array<() => void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
