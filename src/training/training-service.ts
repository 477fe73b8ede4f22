import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ResourceInUse, ValidationException } from '../errors/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import { ActiveJob } from './active-job.js';
import { withPredefinedMetrics } from './builtin-metrics.js';
import { CapacityQueue, type Demand } from './capacity-queue.js';
import { validateTrainingJobSpec } from './create-validation.js';
import { checkFileSystemChannels } from './file-system-channels.js';
import { clusterDemand } from './instance-types.js';
import { trainingJobDir } from './job-layout.js';
import { monitorAndFinish, prepareAndLaunch, ServerClosing, type RunContext } from './job-run.js';
import { enterStatus, finish, isRetryable, type JobOutcome } from './status.js';
import type { TrainingJobRecord, TrainingJobSortField, TrainingJobSpec } from './training-job-record.js';
import type { TrainingJobRepository } from './training-job-repository.js';

/** The training service's slice of the configuration. */
export interface TrainingServiceConfig extends ArnScope {
  readonly dataDir: string;
  /** What jobs may use at once; instance types are mapped to vCPUs/memory/GPUs. */
  readonly capacity: Demand;
  /** SIGTERM → SIGKILL delay on stop and timeout (SageMaker: 120 s). */
  readonly stopGraceSeconds: number;
  /** Channel sidecars log in detail (FastFile mounts: every request's headers); default false. */
  readonly debugSidecars?: boolean;
  /** How often running jobs are polled (default 100 ms). */
  readonly pollIntervalMs?: number;
}

/** The run context's ports and environment (see RunContext), plus what the service itself needs. */
export interface TrainingServiceDependencies extends Pick<
  RunContext,
  'executor' | 'objectStore' | 'images' | 'runtimes' | 'logs' | 'metrics' | 'baseEnv' | 'sidecarS3' | 'fileSystems'
> {
  readonly repository: TrainingJobRepository;
  readonly tags: TagService;
  /** The machine's one admission queue, shared with other job kinds (keys of other kinds must not be bare job names); default: a queue of its own over `config.capacity`. */
  readonly capacityQueue?: CapacityQueue;
  readonly logger?: { error(object: object, message: string): void };
  readonly clock?: () => number;
}

/**
 * SageMaker training jobs: CreateTrainingJob / Describe / List / Stop, and running them — queued
 * FIFO against the configured capacity, prepared and uploaded by the server, executed by the
 * Executor outside the server process. `start()` re-attaches to jobs left running by a previous
 * server; `close()` stops following jobs without stopping them.
 */
export class TrainingService {
  private readonly active = new Map<string, ActiveJob>();
  private readonly queue: CapacityQueue;
  private readonly clock: () => number;
  private readonly context: RunContext;
  private closing = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly config: TrainingServiceConfig,
    private readonly deps: TrainingServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.queue = deps.capacityQueue ?? new CapacityQueue(config.capacity);
    this.context = {
      dataDir: config.dataDir,
      region: config.region,
      cpus: config.capacity.cpus,
      stopGraceSeconds: config.stopGraceSeconds,
      ...(config.debugSidecars ? { debugSidecars: true } : {}),
      pollIntervalMs: config.pollIntervalMs ?? 100,
      executor: deps.executor,
      objectStore: deps.objectStore,
      images: deps.images,
      runtimes: deps.runtimes,
      logs: deps.logs,
      metrics: deps.metrics,
      baseEnv: deps.baseEnv,
      ...(deps.sidecarS3 ? { sidecarS3: deps.sidecarS3 } : {}),
      ...(deps.fileSystems ? { fileSystems: deps.fileSystems } : {}),
      clock: this.clock,
      closing: () => this.closing,
    };
    deps.tags.registerResourceType('training-job', async (name) => {
      if (!(await deps.repository.get(name))) throw new ValidationException('Requested resource not found.');
    });
  }

  arn(name: string): string {
    return resourceArn(this.config, 'training-job', name);
  }

  private notFound(): ValidationException {
    return new ValidationException('Requested resource not found.');
  }

  private duplicate(arn: string): ResourceInUse {
    return new ResourceInUse(`Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`);
  }

  private demand(spec: TrainingJobSpec): Demand {
    return clusterDemand(spec.ResourceConfig?.InstanceType, spec.ResourceConfig?.InstanceCount ?? 1);
  }

  /**
   * Creates a job and queues it. A built-in algorithm's job gets the algorithm's predefined metric
   * definitions (merged with the user's; see withPredefinedMetrics). Throws ValidationException for
   * bad input (instance type, S3 URIs, unknown image), ResourceInUse for a duplicate name.
   */
  async create(name: string, spec: TrainingJobSpec, tags: readonly Tag[] = []): Promise<TrainingJobRecord> {
    validateTrainingJobSpec(spec);
    await checkFileSystemChannels(spec, this.deps.fileSystems);
    const arn = this.arn(name);
    if (await this.deps.repository.get(name)) throw this.duplicate(arn);
    const uri = spec.AlgorithmSpecification?.TrainingImage as string;
    const image = await this.deps.images.resolve(uri, { ...(spec.HyperParameters ? { hyperparameters: spec.HyperParameters } : {}), purpose: 'train' });
    const stored = image.kind === 'builtin' ? await withPredefinedMetrics(spec, image) : spec;
    const now = this.clock();
    const base: TrainingJobRecord = {
      name,
      arn,
      creationTime: now,
      lastModifiedTime: now,
      status: 'InProgress',
      secondaryStatus: 'Starting',
      transitions: [],
      spec: stored,
      attempt: 1,
    };
    const record = enterStatus(base, 'InProgress', 'Starting', now);
    if (!(await this.deps.repository.insert(record, tags))) throw this.duplicate(arn);
    this.enqueue(new ActiveJob(record, this.deps.repository));
    return record;
  }

  /** Throws ValidationException "Requested resource not found." if there is none. */
  async describe(name: string): Promise<TrainingJobRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound();
    return record;
  }

  list(request: ListRequest<TrainingJobSortField>): Promise<ListPage<TrainingJobRecord>> {
    return this.deps.repository.list(request);
  }

  /**
   * StopTrainingJob: status Stopping; a queued job ends Stopped at once, a running one gets
   * SIGTERM (SIGKILL after the grace period) and ends Stopped after its artifacts are uploaded.
   * Throws ValidationException for a missing job or one that is not InProgress.
   */
  async stop(name: string): Promise<void> {
    const stored = await this.deps.repository.get(name);
    if (!stored) throw this.notFound();
    const job = this.active.get(name.toLowerCase());
    if (stored.status !== 'InProgress' || !job)
      throw new ValidationException(`The request was rejected because the training job is in status ${stored.status}.`);
    await job.update((r) => ({ ...enterStatus(r, 'Stopping', 'Stopping', this.clock()), stopRequested: true }));
    if (this.queue.cancel(name.toLowerCase())) {
      await this.complete(job, { kind: 'stopped' });
      this.active.delete(name.toLowerCase());
    } else if (job.launched) {
      await this.deps.executor.requestStop(trainingJobDir(this.config.dataDir, job.name));
    }
  }

  /**
   * UpdateTrainingJob: merges ProfilerConfig, ProfilerRuleConfigurations, RemoteDebugConfig and
   * ResourceConfig.KeepAlivePeriodInSeconds into the job (echoed by DescribeTrainingJob; Salvia has
   * no profiler or warm pools to apply them to). Throws ValidationException for a missing job.
   */
  async update(
    name: string,
    changes: Pick<TrainingJobSpec, 'ProfilerConfig' | 'ProfilerRuleConfigurations' | 'RemoteDebugConfig'> & { KeepAlivePeriodInSeconds?: number },
  ): Promise<TrainingJobRecord> {
    const apply = (r: TrainingJobRecord): TrainingJobRecord => {
      const { KeepAlivePeriodInSeconds, ...members } = changes;
      const spec: TrainingJobSpec = { ...r.spec, ...members };
      const resource =
        KeepAlivePeriodInSeconds !== undefined && spec.ResourceConfig ? { ...spec.ResourceConfig, KeepAlivePeriodInSeconds } : spec.ResourceConfig;
      return { ...r, spec: { ...spec, ...(resource ? { ResourceConfig: resource } : {}) }, lastModifiedTime: this.clock() };
    };
    const active = this.active.get(name.toLowerCase());
    if (active) return active.update(apply);
    const stored = await this.deps.repository.get(name);
    if (!stored) throw this.notFound();
    const updated = apply(stored);
    await this.deps.repository.update(updated);
    return updated;
  }

  private enqueue(job: ActiveJob): void {
    const key = job.name.toLowerCase();
    this.active.set(key, job);
    this.queue.submit(key, this.demand(job.record.spec), () => this.track(this.run(job, false)));
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async run(job: ActiveJob, resume: boolean): Promise<void> {
    const key = job.name.toLowerCase();
    if (this.closing) {
      // Admitted while the server shuts down: left InProgress for the next start() to queue again.
      this.queue.release(key);
      return;
    }
    let outcome: JobOutcome;
    try {
      const notes: string[] = [];
      const early = resume ? undefined : await prepareAndLaunch(job, this.context, notes);
      if (resume) job.launched = true;
      outcome = early ?? (await monitorAndFinish(job, this.context, notes, resume));
    } catch (error) {
      if (error instanceof ServerClosing || this.closing) {
        this.queue.release(key);
        return;
      }
      this.deps.logger?.error({ err: error, job: job.name }, 'training job failed inside the platform');
      outcome = { kind: 'platform-error', message: error instanceof Error ? error.message : String(error) };
    }
    this.queue.release(key);
    const retries = job.record.spec.RetryStrategy?.MaximumRetryAttempts ?? 0;
    try {
      if (isRetryable(outcome) && !job.record.stopRequested && job.record.attempt <= retries) {
        await job.update((r) => ({ ...enterStatus(r, 'InProgress', 'Restarting', this.clock()), attempt: r.attempt + 1 }));
        this.enqueue(new ActiveJob(job.record, this.deps.repository));
        return;
      }
      // The instances' copies of the input data, models and scratch space are no longer needed (logs and the supervisor's files stay);
      // removed before the final status is recorded, so a job seen ended has left nothing behind.
      const jobDir = trainingJobDir(this.config.dataDir, job.name);
      await rm(path.join(jobDir, 'instances'), { recursive: true, force: true });
      await rm(path.join(jobDir, 'scratch'), { recursive: true, force: true });
      await this.complete(job, outcome);
    } catch (error) {
      this.deps.logger?.error({ err: error, job: job.name }, 'could not record the end of a training job');
    } finally {
      if (this.active.get(key) === job) this.active.delete(key);
    }
  }

  private async complete(job: ActiveJob, outcome: JobOutcome): Promise<void> {
    const final: JobOutcome = job.record.stopRequested && outcome.kind === 'completed' ? { kind: 'stopped' } : outcome;
    await job.update((r) => finish(r, final, this.clock()));
  }

  /**
   * Resumes after a restart: jobs that were training are re-attached (their processes kept
   * running; a job whose supervisor died ends Failed), jobs that had not started are queued again.
   */
  async start(): Promise<void> {
    for (const record of await this.deps.repository.withStatus(['InProgress', 'Stopping'])) {
      const job = new ActiveJob(record, this.deps.repository);
      const key = record.name.toLowerCase();
      if (record.trainingStartTime !== undefined) {
        this.active.set(key, job);
        this.queue.occupy(key, this.demand(record.spec));
        this.track(this.run(job, true));
      } else if (record.stopRequested) {
        await this.complete(job, { kind: 'stopped' });
      } else {
        this.enqueue(job);
      }
    }
  }

  /** Stops following jobs (they keep running and are re-attached by the next start()). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
  }
}
