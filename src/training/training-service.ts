import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ResourceInUse, ValidationException } from '../errors/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import type { ActiveJob } from './active-job.js';
import { withPredefinedMetrics } from './builtin-metrics.js';
import { CapacityQueue, type Demand } from './capacity-queue.js';
import { validateTrainingJobSpec } from './create-validation.js';
import { checkFileSystemChannels } from './file-system-channels.js';
import { clusterDemand } from './instance-types.js';
import { JobAdmission } from './job-admission.js';
import { trainingJobDir } from './job-layout.js';
import { monitorAndFinish, prepareAndLaunch, type RunContext } from './job-run.js';
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
  private readonly jobs: JobAdmission<TrainingJobRecord, { readonly outcome: JobOutcome }>;
  private readonly clock: () => number;
  private readonly context: RunContext;

  constructor(
    private readonly config: TrainingServiceConfig,
    private readonly deps: TrainingServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.jobs = new JobAdmission(
      deps.capacityQueue ?? new CapacityQueue(config.capacity),
      deps.repository,
      {
        label: 'training job',
        queueKey: (name) => name.toLowerCase(),
        demand: (record) => clusterDemand(record.spec.ResourceConfig?.InstanceType, record.spec.ResourceConfig?.InstanceCount ?? 1),
        launched: (record) => record.trainingStartTime !== undefined,
        execute: (job, resume) => this.execute(job, resume),
        settle: (job, outcome) => this.settle(job, outcome),
        finish: (record, outcome) => finish(record, outcome, this.clock()),
      },
      deps.logger,
    );
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
      closing: () => this.jobs.closing,
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
    this.jobs.enqueue(record);
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
    const job = this.jobs.get(name);
    if (stored.status !== 'InProgress' || !job)
      throw new ValidationException(`The request was rejected because the training job is in status ${stored.status}.`);
    await job.update((r) => ({ ...enterStatus(r, 'Stopping', 'Stopping', this.clock()), stopRequested: true }));
    await this.jobs.stop(job, () => this.deps.executor.requestStop(trainingJobDir(this.config.dataDir, job.name)));
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
    const active = this.jobs.get(name);
    if (active) return active.update(apply);
    const stored = await this.deps.repository.get(name);
    if (!stored) throw this.notFound();
    const updated = apply(stored);
    await this.deps.repository.update(updated);
    return updated;
  }

  private async execute(job: ActiveJob, resume: boolean): Promise<{ readonly outcome: JobOutcome }> {
    const notes: string[] = [];
    const early = resume ? undefined : await prepareAndLaunch(job, this.context, notes);
    return { outcome: early ?? (await monitorAndFinish(job, this.context, notes, resume)) };
  }

  /** A retryable failure with attempts left queues the job again (status Restarting); otherwise its leftovers are removed and it ends. */
  private async settle(job: ActiveJob, outcome: JobOutcome): Promise<void> {
    const retries = job.record.spec.RetryStrategy?.MaximumRetryAttempts ?? 0;
    if (isRetryable(outcome) && !job.record.stopRequested && job.record.attempt <= retries) {
      await job.update((r) => ({ ...enterStatus(r, 'InProgress', 'Restarting', this.clock()), attempt: r.attempt + 1 }));
      this.jobs.enqueue(job.record);
      return;
    }
    // The instances' copies of the input data, models and scratch space are no longer needed (logs and the supervisor's files stay);
    // removed before the final status is recorded, so a job seen ended has left nothing behind.
    const jobDir = trainingJobDir(this.config.dataDir, job.name);
    await rm(path.join(jobDir, 'instances'), { recursive: true, force: true });
    await rm(path.join(jobDir, 'scratch'), { recursive: true, force: true });
    await this.jobs.complete(job, outcome);
  }

  /**
   * Resumes after a restart: jobs that were training are re-attached (their processes kept
   * running; a job whose supervisor died ends Failed), jobs that had not started are queued again.
   */
  start(): Promise<void> {
    return this.jobs.start();
  }

  /** Stops following jobs (they keep running and are re-attached by the next start()). */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
