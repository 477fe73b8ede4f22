import { randomUUID } from 'node:crypto';
import { ValidationException } from '../errors/index.js';
import { HostingError, type DeploymentPlan, type EndpointHosting, type VariantPlan } from '../hosting/endpoint-hosting.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import type { EndpointConfigRecord } from './endpoint-config-record.js';
import type { DeploymentRecord, DesiredWeightAndCapacity, EndpointRecord, EndpointSortField, EndpointStatus } from './endpoint-record.js';
import type { EndpointRepository } from './endpoint-repository.js';
import { endpointView, type EndpointView } from './endpoint-view.js';
import { resolveVariants, type ModelLookup } from './deployment-plan.js';

/** Where the service reports what goes wrong in the background (a pino logger fits). */
export interface EndpointLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface EndpointServiceDependencies {
  readonly repository: EndpointRepository;
  readonly tags: TagService;
  /** Finds an endpoint configuration; throws ValidationException `Could not find endpoint configuration "<arn>".` */
  readonly configs: (name: string) => Promise<EndpointConfigRecord>;
  /** Finds a model; throws ValidationException `Could not find model "<arn>".` */
  readonly models: ModelLookup;
  /** The data plane; the service closes it on close(). */
  readonly hosting: EndpointHosting;
  readonly clock?: () => number;
  readonly newId?: () => string;
  readonly logger?: EndpointLogger;
}

/** Options of UpdateEndpoint. */
export interface UpdateOptions {
  readonly retainAllVariantProperties?: boolean;
  /** VariantPropertyType values not retained: `DesiredInstanceCount`, `DesiredWeight`, `DataCaptureConfig`. */
  readonly excludeRetainedVariantProperties?: readonly string[];
  readonly deploymentConfig?: unknown;
  readonly retainDeploymentConfig?: boolean;
}

/** Statuses in which an operation is running: Update*, Delete answer `Cannot update in-progress endpoint`. */
const inProgress: readonly EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
/** Statuses DeleteEndpoint starts from. */
const deletable: readonly EndpointStatus[] = ['InService', 'Failed', 'OutOfService', 'UpdateRollbackFailed'];
/** SageMaker's FailureReason is at most 1024 characters. */
const maxFailureReason = 1024;

const planOf = (name: string, deployment: DeploymentRecord): DeploymentPlan => ({
  endpointName: name,
  deploymentId: deployment.id,
  variants: [...deployment.variants],
});

function failureReason(error: unknown): string {
  const text =
    error instanceof HostingError ? error.message : `Internal error while deploying the endpoint: ${error instanceof Error ? error.message : String(error)}`;
  return text.length > maxFailureReason ? `${text.slice(0, maxFailureReason - 1)}…` : text;
}

function withWeights(variants: readonly VariantPlan[], desired: readonly DesiredWeightAndCapacity[]): VariantPlan[] {
  return variants.map((variant) => {
    const wanted = desired.find((d) => d.variantName === variant.variantName);
    return wanted ? { ...variant, weight: wanted.weight ?? variant.weight, instanceCount: wanted.instanceCount ?? variant.instanceCount } : variant;
  });
}

/**
 * SageMaker endpoints (CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
 * UpdateEndpointWeightsAndCapacities, DeleteEndpoint) over the EndpointHosting port. The status
 * machine: Creating → InService once hosting deployed and activated the configuration, or Failed
 * with hosting's reason; UpdateEndpoint InService → Updating → InService on the new configuration,
 * or back on the old one with FailureReason set (SageMaker's rollback); DeleteEndpoint → Deleting →
 * gone. Calls return at once; the work runs in the background. A model or configuration deleted
 * later changes nothing: each deployment is resolved when it is asked for and kept with the endpoint.
 */
export class EndpointService {
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly tasks = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly scope: ArnScope,
    private readonly deps: EndpointServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
    deps.tags.registerResourceType('endpoint', async (name, arn) => {
      if (!(await deps.repository.get(name))) throw this.notFound(arn);
    });
  }

  /** The endpoint's ARN (name lower-cased). */
  arn(name: string): string {
    return resourceArn(this.scope, 'endpoint', name);
  }

  private notFound(arn: string): ValidationException {
    return new ValidationException(`Could not find endpoint "${arn}".`);
  }

  private inProgress(arn: string): ValidationException {
    return new ValidationException(`Cannot update in-progress endpoint "${arn}".`);
  }

  private async get(name: string): Promise<EndpointRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound(this.arn(name));
    return record;
  }

  private deployment(config: EndpointConfigRecord, variants: VariantPlan[]): DeploymentRecord {
    return { id: this.newId(), endpointConfigName: config.name, variants, startTime: this.clock() };
  }

  /**
   * Creates an endpoint (status Creating) and deploys its configuration in the background.
   * Throws ValidationException for a name that exists (`Cannot create already existing endpoint
   * "<arn>".`), a configuration or model that does not exist.
   */
  async create(name: string, configName: string, options: { deploymentConfig?: unknown } = {}, tags: readonly Tag[] = []): Promise<EndpointRecord> {
    const arn = this.arn(name);
    const duplicate = (): ValidationException => new ValidationException(`Cannot create already existing endpoint "${arn}".`);
    if (await this.deps.repository.get(name)) throw duplicate();
    const config = await this.deps.configs(configName);
    const variants = await resolveVariants(config.productionVariants, this.deps.models);
    const now = this.clock();
    const record: EndpointRecord = {
      name,
      arn,
      creationTime: now,
      lastModifiedTime: now,
      status: 'Creating',
      deployment: this.deployment(config, variants),
      deployed: false,
      ...(options.deploymentConfig !== undefined ? { lastDeploymentConfig: options.deploymentConfig } : {}),
    };
    if (!(await this.deps.repository.insert(record, tags))) throw duplicate();
    this.background(record.name, () => this.bringUp(record, 'Creating'));
    return record;
  }

  /** DescribeEndpoint. Throws ValidationException `Could not find endpoint "<arn>".` */
  async describe(name: string): Promise<EndpointView> {
    const record = await this.get(name);
    return endpointView(record, record.status === 'InService' || record.status === 'Updating' ? this.deps.hosting.describe(record.name) : undefined);
  }

  list(request: ListRequest<EndpointSortField>): Promise<ListPage<EndpointRecord>> {
    return this.deps.repository.list(request);
  }

  /**
   * UpdateEndpoint: deploys another configuration next to the running one and switches traffic to
   * it when every instance is healthy. Throws ValidationException unless the endpoint is InService
   * (`Cannot update in-progress endpoint "<arn>".`, `Cannot update failed endpoint "<arn>".`) and
   * for a configuration or model that does not exist.
   */
  async update(name: string, configName: string, options: UpdateOptions = {}): Promise<EndpointRecord> {
    const record = await this.get(name);
    this.assertUpdatable(record);
    const config = await this.deps.configs(configName);
    let variants = await resolveVariants(config.productionVariants, this.deps.models);
    if (options.retainAllVariantProperties) {
      const excluded = new Set(options.excludeRetainedVariantProperties ?? []);
      const current = withWeights(record.deployment.variants, record.desiredWeights ?? []);
      variants = variants.map((variant) => {
        const old = current.find((v) => v.variantName === variant.variantName);
        if (!old) return variant;
        return {
          ...variant,
          ...(excluded.has('DesiredWeight') ? {} : { weight: old.weight }),
          ...(excluded.has('DesiredInstanceCount') ? {} : { instanceCount: old.instanceCount }),
        };
      });
    }
    const lastDeploymentConfig = options.deploymentConfig ?? (options.retainDeploymentConfig ? record.lastDeploymentConfig : undefined);
    const { failureReason: _dropped, lastDeploymentConfig: _previous, ...rest } = record;
    const updating: EndpointRecord = {
      ...rest,
      status: 'Updating',
      lastModifiedTime: this.clock(),
      pending: this.deployment(config, variants),
      ...(lastDeploymentConfig !== undefined ? { lastDeploymentConfig } : {}),
    };
    if (!(await this.deps.repository.replace(updating, ['InService']))) throw this.inProgress(record.arn);
    this.background(record.name, () => this.rollOut(updating));
    return updating;
  }

  private assertUpdatable(record: EndpointRecord): void {
    if (record.status === 'InService') return;
    if (record.status === 'Failed') throw new ValidationException(`Cannot update failed endpoint "${record.arn}".`);
    throw this.inProgress(record.arn);
  }

  /**
   * UpdateEndpointWeightsAndCapacities: status Updating until hosting applied the new weights and
   * instance counts. Throws ValidationException unless the endpoint is InService, for a variant
   * named twice and for one the endpoint does not have.
   */
  async updateWeights(name: string, desired: readonly DesiredWeightAndCapacity[]): Promise<EndpointRecord> {
    const record = await this.get(name);
    this.assertUpdatable(record);
    const seen = new Set<string>();
    for (const wanted of desired) {
      if (seen.has(wanted.variantName)) throw new ValidationException(`The variant name "${wanted.variantName}" was non-unique within the request.`);
      seen.add(wanted.variantName);
    }
    const unknown = desired.filter((d) => !record.deployment.variants.some((v) => v.variantName === d.variantName)).map((d) => d.variantName);
    if (unknown.length > 0) {
      throw new ValidationException(
        `The variant name(s) "${unknown.join(', ')}" is/are not present within endpoint configuration "${record.deployment.endpointConfigName}".`,
      );
    }
    const { failureReason: _dropped, ...rest } = record;
    const updating: EndpointRecord = { ...rest, status: 'Updating', lastModifiedTime: this.clock(), desiredWeights: desired };
    if (!(await this.deps.repository.replace(updating, ['InService']))) throw this.inProgress(record.arn);
    this.background(record.name, () => this.applyWeights(updating));
    return updating;
  }

  /**
   * DeleteEndpoint: status Deleting, then its model servers are stopped and it disappears.
   * Throws ValidationException for an unknown endpoint and, while an operation runs on it,
   * `Cannot update in-progress endpoint "<arn>".`
   */
  async delete(name: string): Promise<void> {
    const record = await this.get(name);
    if (inProgress.includes(record.status)) throw this.inProgress(record.arn);
    const deleting: EndpointRecord = { ...record, status: 'Deleting', lastModifiedTime: this.clock() };
    if (!(await this.deps.repository.replace(deleting, deletable))) throw this.inProgress(record.arn);
    this.background(record.name, () => this.tearDown(deleting));
  }

  /**
   * After a server start: brings back what was running. InService endpoints show SystemUpdating
   * until their model servers answer again; Creating/Updating ones resume; Deleting ones finish.
   * Returns once the statuses are recorded (the deployments continue in the background).
   */
  async start(): Promise<void> {
    for (const record of await this.deps.repository.withStatus(['Creating', 'InService', 'Updating', 'SystemUpdating', 'Deleting'])) {
      switch (record.status) {
        case 'Deleting':
          this.background(record.name, () => this.tearDown(record));
          break;
        case 'Creating':
          this.background(record.name, () => this.bringUp(record, 'Creating'));
          break;
        case 'Updating':
          this.background(record.name, () => this.resumeUpdate(record));
          break;
        default: {
          const restoring: EndpointRecord = { ...record, status: 'SystemUpdating', lastModifiedTime: this.clock() };
          if (await this.deps.repository.replace(restoring, [record.status])) this.background(record.name, () => this.bringUp(restoring, 'SystemUpdating'));
        }
      }
    }
  }

  /** Stops hosting (every model server) and waits for background work; nothing is recorded after this starts. */
  async close(): Promise<void> {
    this.closing = true;
    await this.deps.hosting.close();
    await Promise.allSettled([...this.tasks]);
  }

  /** Resolves when no background operation is running (tests). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private background(name: string, work: () => Promise<void>): void {
    const task = work()
      .catch((error: unknown) => {
        if (!this.closing) this.deps.logger?.error({ err: error, endpoint: name }, 'endpoint operation failed');
      })
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Writes `next` if the stored status is still `from` (and the server is not closing). */
  private async settle(next: EndpointRecord, from: EndpointStatus): Promise<void> {
    if (this.closing) return;
    if (!(await this.deps.repository.replace(next, [from])))
      this.deps.logger?.warn({ endpoint: next.name, from, to: next.status }, 'endpoint changed meanwhile; outcome not recorded');
  }

  /** Deploys and activates `deployment`; undefined on success, else the failure reason (nothing left running). */
  private async deploy(name: string, deployment: DeploymentRecord): Promise<string | undefined> {
    try {
      await this.deps.hosting.deploy(planOf(name, deployment));
      await this.deps.hosting.activate(name, deployment.id);
      return undefined;
    } catch (error) {
      await this.deps.hosting.undeploy(name, deployment.id).catch(() => undefined);
      return failureReason(error);
    }
  }

  /** Creating / SystemUpdating → InService, or Failed with the reason. */
  private async bringUp(record: EndpointRecord, from: 'Creating' | 'SystemUpdating'): Promise<void> {
    // A deployment of the previous server process may have left files behind.
    await this.deps.hosting.undeploy(record.name).catch(() => undefined);
    const reason = await this.deploy(record.name, record.deployment);
    if (this.closing) return;
    const { failureReason: _previous, ...rest } = record;
    const next: EndpointRecord =
      reason === undefined
        ? { ...rest, status: 'InService', deployed: true, lastModifiedTime: this.clock() }
        : {
            ...rest,
            status: 'Failed',
            lastModifiedTime: this.clock(),
            failureReason: from === 'Creating' ? reason : `The endpoint could not be restored after a server restart: ${reason}`,
          };
    await this.settle(next, from);
  }

  /** Updating (UpdateEndpoint) → InService on the new deployment, or on the old one with FailureReason. */
  private async rollOut(record: EndpointRecord): Promise<void> {
    const pending = record.pending;
    if (!pending) return;
    const reason = await this.deploy(record.name, pending);
    if (this.closing) return;
    const { pending: _pending, failureReason: _previous, ...rest } = record;
    const next: EndpointRecord =
      reason === undefined
        ? { ...rest, status: 'InService', deployment: pending, deployed: true, lastModifiedTime: this.clock() }
        : { ...rest, status: 'InService', lastModifiedTime: this.clock(), failureReason: reason };
    await this.settle(next, 'Updating');
  }

  /** Updating (weights and capacities) → InService with them, or unchanged with FailureReason. */
  private async applyWeights(record: EndpointRecord): Promise<void> {
    const desired = record.desiredWeights ?? [];
    let reason: string | undefined;
    try {
      await this.deps.hosting.setWeights(record.name, [...desired]);
    } catch (error) {
      reason = failureReason(error);
    }
    if (this.closing) return;
    const { desiredWeights: _desired, failureReason: _previous, ...rest } = record;
    const next: EndpointRecord =
      reason === undefined
        ? {
            ...rest,
            status: 'InService',
            deployment: { ...record.deployment, variants: withWeights(record.deployment.variants, desired) },
            lastModifiedTime: this.clock(),
          }
        : { ...rest, status: 'InService', lastModifiedTime: this.clock(), failureReason: reason };
    await this.settle(next, 'Updating');
  }

  /** After a restart during an update: brings the running deployment back, then redoes the update. */
  private async resumeUpdate(record: EndpointRecord): Promise<void> {
    await this.deps.hosting.undeploy(record.name).catch(() => undefined);
    const deployment = record.desiredWeights
      ? { ...record.deployment, variants: withWeights(record.deployment.variants, record.desiredWeights) }
      : record.deployment;
    const restored = record.deployed ? await this.deploy(record.name, deployment) : 'the endpoint was not deployed';
    if (this.closing) return;
    if (restored !== undefined) {
      const { pending: _p, desiredWeights: _d, ...rest } = record;
      await this.settle(
        { ...rest, status: 'Failed', lastModifiedTime: this.clock(), failureReason: `The endpoint could not be restored after a server restart: ${restored}` },
        'Updating',
      );
      return;
    }
    if (record.pending) {
      await this.rollOut({ ...record, deployment });
      return;
    }
    const { desiredWeights: _d, ...rest } = record;
    await this.settle({ ...rest, deployment, status: 'InService', lastModifiedTime: this.clock() }, 'Updating');
  }

  /** Deleting → gone: model servers stopped, record and tags removed. */
  private async tearDown(record: EndpointRecord): Promise<void> {
    try {
      await this.deps.hosting.undeploy(record.name);
    } catch (error) {
      this.deps.logger?.warn({ err: error, endpoint: record.name }, 'undeploy failed; deleting the endpoint anyway');
    }
    if (this.closing) return;
    if (await this.deps.repository.delete(record.name, ['Deleting'])) await this.deps.tags.forget(record.arn);
  }
}
