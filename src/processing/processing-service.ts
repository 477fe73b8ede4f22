import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ResourceInUse, ValidationException } from '../errors/index.js';
import { processCommand } from '../images/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import { ActiveJob, clusterDemand, ServerClosing, type CapacityQueue, type Demand, type JobOutcome } from '../training/index.js';
import { validateProcessingJobSpec } from './create-validation.js';
import { processingJobDir } from './job-layout.js';
import { monitorAndFinish, prepareAndLaunch, type ProcessingRunContext } from './job-run.js';
import type { ProcessingJobRecord, ProcessingJobSortField, ProcessingJobSpec } from './processing-job-record.js';
import type { ProcessingJobRepository } from './processing-job-repository.js';
import { finishProcessing } from './status.js';

/** The processing service's slice of the configuration. */
export interface ProcessingServiceConfig extends ArnScope {
  readonly dataDir: string;
  /** SIGTERM → SIGKILL delay on stop and timeout. */
  readonly stopGraceSeconds: number;
  /** How often running jobs are polled (default 100 ms). */
  readonly pollIntervalMs?: number;
}

/** The run context's ports and environment, plus what the service itself needs. */
export interface ProcessingServiceDependencies extends Pick<
  ProcessingRunContext,
  'executor' | 'objectStore' | 'images' | 'runtimes' | 'logs' | 'baseEnv' | 'sidecarS3'
> {
  readonly repository: ProcessingJobRepository;
  readonly tags: TagService;
  /** The machine's admission queue, shared with training (processing keys are `processing:<name>`). */
  readonly capacityQueue: CapacityQueue;
  readonly logger?: { error(object: object, message: string): void };
  readonly clock?: () => number;
}

/** The admission-queue key of a job: prefixed, so it never clashes with a training job of the same name. */
const queueKey = (name: string): string => `processing:${name.toLowerCase()}`;

/**
 * SageMaker processing jobs: CreateProcessingJob / Describe / List / Stop, and running them —
 * queued FIFO on the machine's capacity queue (shared with training), prepared and uploaded by the
 * server, executed by the Executor outside the server process. `start()` re-attaches to jobs left
 * running by a previous server; `close()` stops following jobs without stopping them.
 */
export class ProcessingService {
  private readonly active = new Map<string, ActiveJob<ProcessingJobRecord>>();
  private readonly clock: () => number;
  private readonly context: ProcessingRunContext;
  private closing = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly config: ProcessingServiceConfig,
    private readonly deps: ProcessingServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.context = {
      dataDir: config.dataDir,
      region: config.region,
      stopGraceSeconds: config.stopGraceSeconds,
      pollIntervalMs: config.pollIntervalMs ?? 100,
      executor: deps.executor,
      objectStore: deps.objectStore,
      images: deps.images,
      runtimes: deps.runtimes,
      logs: deps.logs,
      baseEnv: deps.baseEnv,
      ...(deps.sidecarS3 ? { sidecarS3: deps.sidecarS3 } : {}),
      clock: this.clock,
      closing: () => this.closing,
    };
    deps.tags.registerResourceType('processing-job', async (name) => {
      if (!(await deps.repository.get(name))) throw this.notFound();
    });
  }

  arn(name: string): string {
    return resourceArn(this.config, 'processing-job', name);
  }

  private notFound(): ValidationException {
    return new ValidationException('Requested resource not found.');
  }

  private demand(spec: ProcessingJobSpec): Demand {
    const cluster = spec.ProcessingResources?.ClusterConfig;
    return clusterDemand(cluster?.InstanceType, cluster?.InstanceCount ?? 1);
  }

  /**
   * Creates a job and queues it. Throws ValidationException for bad input (see
   * validateProcessingJobSpec; an unknown or built-in algorithm image; a framework image without
   * ContainerEntrypoint), ResourceInUse for a duplicate name.
   */
  async create(name: string, spec: ProcessingJobSpec, tags: readonly Tag[] = []): Promise<ProcessingJobRecord> {
    validateProcessingJobSpec(spec);
    const image = await this.deps.images.resolve(spec.AppSpecification?.ImageUri as string, { purpose: 'process' });
    processCommand(image, {
      ...(spec.AppSpecification?.ContainerEntrypoint ? { containerEntrypoint: spec.AppSpecification.ContainerEntrypoint } : {}),
      ...(spec.AppSpecification?.ContainerArguments ? { containerArguments: spec.AppSpecification.ContainerArguments } : {}),
    });
    const arn = this.arn(name);
    const duplicate = new ResourceInUse(
      `Processing job names must be unique within an AWS account and region, and a processing job with this name already exists (${arn})`,
    );
    if (await this.deps.repository.get(name)) throw duplicate;
    const now = this.clock();
    const record: ProcessingJobRecord = { name, arn, creationTime: now, lastModifiedTime: now, status: 'InProgress', spec };
    if (!(await this.deps.repository.insert(record, tags))) throw duplicate;
    this.enqueue(new ActiveJob(record, this.deps.repository));
    return record;
  }

  /** Throws ValidationException "Requested resource not found." if there is none. */
  async describe(name: string): Promise<ProcessingJobRecord> {
    const record = await this.deps.repository.get(name);
    if (!record) throw this.notFound();
    return record;
  }

  list(request: ListRequest<ProcessingJobSortField>): Promise<ListPage<ProcessingJobRecord>> {
    return this.deps.repository.list(request);
  }

  /**
   * StopProcessingJob: status Stopping; a queued job ends Stopped at once, a running one gets
   * SIGTERM (SIGKILL after the grace period) and ends Stopped (Continuous outputs synced, EndOfJob
   * outputs not uploaded). Throws ValidationException for a missing job or one that is not InProgress.
   */
  async stop(name: string): Promise<void> {
    const stored = await this.deps.repository.get(name);
    if (!stored) throw this.notFound();
    const job = this.active.get(name.toLowerCase());
    if (stored.status !== 'InProgress' || !job)
      throw new ValidationException(`The request was rejected because the processing job is in status ${stored.status}.`);
    await job.update((r) => ({ ...r, status: 'Stopping', stopRequested: true, lastModifiedTime: this.clock() }));
    if (this.deps.capacityQueue.cancel(queueKey(name))) {
      await this.complete(job, { kind: 'stopped' });
      this.active.delete(name.toLowerCase());
    } else if (job.launched) {
      await this.deps.executor.requestStop(processingJobDir(this.config.dataDir, job.name));
    }
  }

  private enqueue(job: ActiveJob<ProcessingJobRecord>): void {
    this.active.set(job.name.toLowerCase(), job);
    this.deps.capacityQueue.submit(queueKey(job.name), this.demand(job.record.spec), () => this.track(this.run(job, false)));
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async run(job: ActiveJob<ProcessingJobRecord>, resume: boolean): Promise<void> {
    const key = queueKey(job.name);
    if (this.closing) {
      // Admitted while the server shuts down: left InProgress for the next start() to queue again.
      this.deps.capacityQueue.release(key);
      return;
    }
    let outcome: JobOutcome;
    let exitMessage: string | undefined;
    try {
      const notes: string[] = [];
      const early = resume ? undefined : await prepareAndLaunch(job, this.context, notes);
      if (resume) job.launched = true;
      if (early) outcome = early;
      else ({ outcome, exitMessage } = await monitorAndFinish(job, this.context, notes, resume));
    } catch (error) {
      if (error instanceof ServerClosing || this.closing) {
        this.deps.capacityQueue.release(key);
        return;
      }
      this.deps.logger?.error({ err: error, job: job.name }, 'processing job failed inside the platform');
      outcome = { kind: 'platform-error', message: error instanceof Error ? error.message : String(error) };
    }
    this.deps.capacityQueue.release(key);
    try {
      // The instances' copies of inputs and outputs are no longer needed (logs and the supervisor's files stay);
      // removed before the final status is recorded, so a job seen ended has left nothing behind.
      await rm(path.join(processingJobDir(this.config.dataDir, job.name), 'instances'), { recursive: true, force: true });
      await this.complete(job, outcome, exitMessage);
    } catch (error) {
      this.deps.logger?.error({ err: error, job: job.name }, 'could not record the end of a processing job');
    } finally {
      if (this.active.get(job.name.toLowerCase()) === job) this.active.delete(job.name.toLowerCase());
    }
  }

  private async complete(job: ActiveJob<ProcessingJobRecord>, outcome: JobOutcome, exitMessage?: string): Promise<void> {
    const final: JobOutcome = job.record.stopRequested && outcome.kind === 'completed' ? { kind: 'stopped' } : outcome;
    await job.update((r) => finishProcessing(r, final, this.clock(), exitMessage));
  }

  /**
   * Resumes after a restart: jobs whose containers were launched are re-attached (a job whose
   * supervisor died ends Failed), jobs that had not started are queued again.
   */
  async start(): Promise<void> {
    for (const record of await this.deps.repository.withStatus(['InProgress', 'Stopping'])) {
      const job = new ActiveJob(record, this.deps.repository);
      if (record.processingStartTime !== undefined) {
        this.active.set(record.name.toLowerCase(), job);
        this.deps.capacityQueue.occupy(queueKey(record.name), this.demand(record.spec));
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
