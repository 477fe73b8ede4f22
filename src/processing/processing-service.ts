import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ResourceInUse, ValidationException } from '../errors/index.js';
import { processCommand } from '../images/index.js';
import { resourceArn, type ArnScope, type ListPage, type ListRequest, type Tag, type TagService } from '../resources/index.js';
import { clusterDemand, JobAdmission, type ActiveJob, type CapacityQueue, type JobOutcome } from '../training/index.js';
import { validateProcessingJobSpec } from './create-validation.js';
import { processingJobDir } from './job-layout.js';
import { monitorAndFinish, prepareAndLaunch, type ProcessingRunContext, type ProcessingRunEnd } from './job-run.js';
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
  private readonly jobs: JobAdmission<ProcessingJobRecord, ProcessingRunEnd>;
  private readonly clock: () => number;
  private readonly context: ProcessingRunContext;

  constructor(
    private readonly config: ProcessingServiceConfig,
    private readonly deps: ProcessingServiceDependencies,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.jobs = new JobAdmission(
      deps.capacityQueue,
      deps.repository,
      {
        label: 'processing job',
        queueKey,
        demand: (record) => {
          const cluster = record.spec.ProcessingResources?.ClusterConfig;
          return clusterDemand(cluster?.InstanceType, cluster?.InstanceCount ?? 1);
        },
        launched: (record) => record.processingStartTime !== undefined,
        execute: (job, resume) => this.execute(job, resume),
        settle: (job, outcome, end) => this.settle(job, outcome, end),
        finish: (record, outcome, end) => finishProcessing(record, outcome, this.clock(), end?.exitMessage),
      },
      deps.logger,
    );
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
      closing: () => this.jobs.closing,
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
    const duplicate = (): ResourceInUse =>
      new ResourceInUse(`Processing job names must be unique within an AWS account and region, and a processing job with this name already exists (${arn})`);
    if (await this.deps.repository.get(name)) throw duplicate();
    const now = this.clock();
    const record: ProcessingJobRecord = { name, arn, creationTime: now, lastModifiedTime: now, status: 'InProgress', spec };
    if (!(await this.deps.repository.insert(record, tags))) throw duplicate();
    this.jobs.enqueue(record);
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
    const job = this.jobs.get(name);
    if (stored.status !== 'InProgress' || !job)
      throw new ValidationException(`The request was rejected because the processing job is in status ${stored.status}.`);
    await job.update((r) => ({ ...r, status: 'Stopping', stopRequested: true, lastModifiedTime: this.clock() }));
    await this.jobs.stop(job, () => this.deps.executor.requestStop(processingJobDir(this.config.dataDir, job.name)));
  }

  private async execute(job: ActiveJob<ProcessingJobRecord>, resume: boolean): Promise<ProcessingRunEnd> {
    const notes: string[] = [];
    const early = resume ? undefined : await prepareAndLaunch(job, this.context, notes);
    return early ? { outcome: early } : monitorAndFinish(job, this.context, notes, resume);
  }

  private async settle(job: ActiveJob<ProcessingJobRecord>, outcome: JobOutcome, end?: ProcessingRunEnd): Promise<void> {
    // The instances' copies of inputs and outputs are no longer needed (logs and the supervisor's files stay);
    // removed before the final status is recorded, so a job seen ended has left nothing behind.
    await rm(path.join(processingJobDir(this.config.dataDir, job.name), 'instances'), { recursive: true, force: true });
    await this.jobs.complete(job, outcome, end);
  }

  /**
   * Resumes after a restart: jobs whose containers were launched are re-attached (a job whose
   * supervisor died ends Failed), jobs that had not started are queued again.
   */
  start(): Promise<void> {
    return this.jobs.start();
  }

  /** Stops following jobs (they keep running and are re-attached by the next start()). */
  close(): Promise<void> {
    return this.jobs.close();
  }
}
