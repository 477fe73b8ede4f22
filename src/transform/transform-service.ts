import { mkdir } from 'node:fs/promises';
import { hostedContainers, type ModelLookup } from '../endpoints/index.js';
import { AwsError, ResourceInUse, ValidationException } from '../errors/index.js';
import type { HostedContainer } from '../hosting/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import { ActiveJob, CapacityQueue, clusterDemand, jobDirectory, type Demand } from '../training/index.js';
import { validateTransformJobSpec, type CreateTransformJobInput } from './create-validation.js';
import { finish } from './status.js';
import type { TransformJobRecord, TransformJobSortField } from './transform-job-record.js';
import type { TransformJobRepository } from './transform-job-repository.js';
import type { TransformJobSpec, TransformOutcome, TransformRunner } from './transform-runner.js';

/** The transform service's slice of the configuration. */
export interface TransformServiceConfig extends ArnScope {
  readonly dataDir: string;
  /** What jobs may use at once, when no shared queue is injected (instance types are mapped to vCPUs/memory/GPUs). */
  readonly capacity: Demand;
}

export interface TransformServiceDependencies {
  readonly repository: TransformJobRepository;
  readonly tags: TagService;
  /** Finds a model; throws ValidationException `Could not find model "<arn>".` if there is none. */
  readonly models: ModelLookup;
  /** Runs an admitted job's data flow. */
  readonly runner: TransformRunner;
  /** The machine's admission queue, shared with training and processing (default: a queue of its own over `capacity`). Keys are `transform:<name>`. */
  readonly capacityQueue?: CapacityQueue;
  readonly logger?: { error(object: object, message: string): void };
  readonly clock?: () => number;
}

/** Where a transform job's files live: `<dataDir>/jobs/transform/<name lower-cased>/`. */
export function transformJobDir(dataDir: string, name: string): string {
  return jobDirectory(dataDir, 'transform', name);
}

/** A job the server is working on (its record changed one update at a time) and how to abort its run. */
class ActiveTransform extends ActiveJob<TransformJobRecord> {
  readonly controller = new AbortController();
}

/**
 * SageMaker batch transform jobs: CreateTransformJob / Describe / List / Stop. Created jobs wait
 * FIFO on the capacity queue; an admitted job's model is resolved and handed to the
 * TransformRunner, whose outcome becomes the job's final status. After a restart, `start()` runs
 * jobs that were InProgress again from the start and ends Stopping ones Stopped; `close()` aborts
 * running jobs without recording an end (they run again on the next start).
 */
export class TransformService {
  private readonly active = new Map<string, ActiveTransform>();
  private readonly queue: CapacityQueue;
  private readonly clock: () => number;
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly config: TransformServiceConfig,
    private readonly deps: TransformServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.queue = deps.capacityQueue ?? new CapacityQueue(config.capacity);
    deps.tags.registerResourceType('transform-job', async (name) => {
      if (!(await deps.repository.get(name))) throw this.notFound();
    });
  }

  /** The job's ARN (name lower-cased). */
  arn(name: string): string {
    return resourceArn(this.config, 'transform-job', name);
  }

  private notFound(): ValidationException {
    return new ValidationException('Requested resource not found.');
  }

  private duplicate(arn: string): ResourceInUse {
    return new ResourceInUse(`Transform job names must be unique within an AWS account and region, and a transform job with this name already exists (${arn})`);
  }

  private demand(spec: TransformJobSpec): Demand {
    return clusterDemand(spec.TransformResources.InstanceType, spec.TransformResources.InstanceCount);
  }

  private queueKey(name: string): string {
    return `transform:${name.toLowerCase()}`;
  }

  /**
   * Creates a job (status InProgress) and queues it. Throws ValidationException for bad input (see
   * validateTransformJobSpec) or a model that does not exist (`Could not find model "<arn>".`) or has
   * no servable container, ResourceInUse for a duplicate name.
   */
  async create(name: string, input: CreateTransformJobInput, tags: readonly Tag[] = []): Promise<TransformJobRecord> {
    const spec = validateTransformJobSpec(input);
    const arn = this.arn(name);
    if (await this.deps.repository.get(name)) throw this.duplicate(arn);
    hostedContainers(await this.deps.models(spec.ModelName));
    const now = this.clock();
    const record: TransformJobRecord = { name, arn, creationTime: now, lastModifiedTime: now, status: 'InProgress', spec };
    if (!(await this.deps.repository.insert(record, tags))) throw this.duplicate(arn);
    this.enqueue(record);
    return record;
  }

  /** Throws ValidationException "Requested resource not found." if there is none. */
  async describe(name: string): Promise<TransformJobRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound();
    return record;
  }

  list(request: ListRequest<TransformJobSortField>): Promise<ListPage<TransformJobRecord>> {
    return this.deps.repository.list(request);
  }

  /**
   * StopTransformJob: status Stopping; a queued job ends Stopped at once, a running one's run is
   * aborted and the job ends Stopped when the runner has stopped everything. Stopping a job that is
   * already Stopping does nothing. Throws ValidationException for a missing job or one that has ended.
   */
  async stop(name: string): Promise<void> {
    const stored = await this.deps.repository.get(name);
    if (!stored) throw this.notFound();
    if (stored.status === 'Stopping') return;
    const key = name.toLowerCase();
    const job = this.active.get(key);
    if (stored.status !== 'InProgress' || !job)
      throw new ValidationException(`The request was rejected because the transform job is in status ${stored.status}.`);
    await job.update((r) => ({ ...r, status: 'Stopping', lastModifiedTime: this.clock() }));
    if (this.queue.cancel(this.queueKey(name))) {
      await job.update((r) => finish(r, { kind: 'stopped' }, this.clock()));
      if (this.active.get(key) === job) this.active.delete(key);
    } else {
      job.controller.abort('stop');
    }
  }

  private enqueue(record: TransformJobRecord): void {
    const job = new ActiveTransform(record, this.deps.repository);
    this.active.set(record.name.toLowerCase(), job);
    this.queue.submit(this.queueKey(record.name), this.demand(record.spec), () => this.track(this.run(job)));
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** The model's containers, or the ClientError reason why the job cannot run (the model was deleted or changed since create). */
  private async containers(spec: TransformJobSpec): Promise<HostedContainer[] | string> {
    try {
      return hostedContainers(await this.deps.models(spec.ModelName));
    } catch (error) {
      if (error instanceof AwsError) return `ClientError: ${error.message}`;
      throw error;
    }
  }

  private async run(job: ActiveTransform): Promise<void> {
    const key = job.record.name.toLowerCase();
    if (this.closing) {
      // Admitted while the server shuts down: left InProgress for the next start() to queue again.
      this.queue.release(this.queueKey(key));
      return;
    }
    let outcome: TransformOutcome;
    try {
      const containers = await this.containers(job.record.spec);
      const jobDir = transformJobDir(this.config.dataDir, key);
      // Not wiped: after a restart the runner reaps the interrupted run's leftover processes recorded there.
      await mkdir(jobDir, { recursive: true });
      await job.update((r) => {
        const { transformEndTime: _end, ...rest } = r;
        return { ...rest, transformStartTime: this.clock(), lastModifiedTime: this.clock() };
      });
      if (typeof containers === 'string') outcome = { kind: 'failed', reason: containers };
      else if (job.controller.signal.aborted) outcome = { kind: 'stopped' };
      else
        outcome = await this.deps.runner.run({
          jobName: job.record.name,
          jobArn: job.record.arn,
          spec: job.record.spec,
          containers,
          signal: job.controller.signal,
          jobDir,
        });
    } catch (error) {
      this.deps.logger?.error({ err: error, job: job.record.name }, 'transform job failed inside the platform');
      outcome = { kind: 'failed', reason: `InternalServerError: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.queue.release(this.queueKey(key));
    try {
      // Aborted by shutdown: the job stays InProgress (or Stopping) and the next start() takes it up again.
      if (job.controller.signal.reason === 'closing') return;
      await job.update((r) => finish(r, outcome, this.clock()));
    } catch (error) {
      this.deps.logger?.error({ err: error, job: job.record.name }, 'could not record the end of a transform job');
    } finally {
      if (this.active.get(key) === job) this.active.delete(key);
    }
  }

  /** After a restart: InProgress jobs are queued again and run from the start; Stopping jobs end Stopped, after the runner stopped what their interrupted run left. */
  async start(): Promise<void> {
    for (const record of await this.deps.repository.withStatus(['InProgress', 'Stopping'])) {
      if (record.status === 'Stopping') {
        this.deps.runner.reapLeftovers(transformJobDir(this.config.dataDir, record.name));
        await this.deps.repository.update(finish(record, { kind: 'stopped' }, this.clock()));
      } else {
        this.enqueue(record);
      }
    }
  }

  /** Server shutdown: aborts running jobs (reason `'closing'`) and waits for their runners; their status is left for the next start(). */
  async close(): Promise<void> {
    this.closing = true;
    for (const [key, job] of this.active) {
      if (this.queue.cancel(this.queueKey(key))) this.active.delete(key);
      else job.controller.abort('closing');
    }
    await Promise.allSettled([...this.running]);
  }
}
