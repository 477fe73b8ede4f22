import { ActiveJob } from './active-job.js';
import type { CapacityQueue, Demand } from './capacity-queue.js';
import { ServerClosing } from './job-run.js';
import type { JobOutcome } from './status.js';

/** The fields of a job record JobAdmission reads. */
export interface AdmittedRecord {
  readonly name: string;
  readonly stopRequested?: boolean;
}

/** What JobAdmission needs to know about one kind of job (training, processing). */
export interface JobKind<R extends AdmittedRecord, End extends { readonly outcome: JobOutcome }> {
  /** Names a job in log messages: `training job`, `processing job`. */
  readonly label: string;
  /** The job's key on the capacity queue, unique across the kinds sharing it. */
  queueKey(name: string): string;
  demand(record: R): Demand;
  /** Whether the job's instances were launched (start() re-attaches such a job instead of queueing it again). */
  launched(record: R): boolean;
  /** Runs an admitted job until it ends (`resume`: re-attached after a restart); throws ServerClosing if the server shuts down meanwhile. */
  execute(job: ActiveJob<R>, resume: boolean): Promise<End>;
  /** After a run (its capacity released): records its end, usually by cleaning up then `JobAdmission.complete`. `end` is undefined after a platform error. */
  settle(job: ActiveJob<R>, outcome: JobOutcome, end?: End): Promise<void>;
  /** The record with its final status for `outcome` (pure). */
  finish(record: R, outcome: JobOutcome, end?: End): R;
}

/**
 * The jobs of one kind the server is working on: queued FIFO on the machine's capacity queue, run
 * when admitted (capacity released when the run ends), stopped while queued or running, re-attached
 * or queued again by start() after a restart; close() stops following them without stopping them.
 * The job kind supplies what differs (see JobKind).
 */
export class JobAdmission<R extends AdmittedRecord, End extends { readonly outcome: JobOutcome }> {
  private readonly active = new Map<string, ActiveJob<R>>();
  private readonly running = new Set<Promise<void>>();
  private isClosing = false;

  constructor(
    private readonly queue: CapacityQueue,
    private readonly repository: { update(record: R): Promise<void>; withStatus(statuses: readonly string[]): Promise<R[]> },
    private readonly kind: JobKind<R, End>,
    private readonly logger?: { error(object: object, message: string): void },
  ) {}

  /** True once close() was called. */
  get closing(): boolean {
    return this.isClosing;
  }

  /** The queued or running job of that name (case-insensitive), if any. */
  get(name: string): ActiveJob<R> | undefined {
    return this.active.get(name.toLowerCase());
  }

  /** Queues a job (a new one, or one to run again); it runs when the capacity queue admits it. */
  enqueue(record: R): void {
    const job = new ActiveJob(record, this.repository);
    this.active.set(job.name.toLowerCase(), job);
    this.queue.submit(this.kind.queueKey(job.name), this.kind.demand(record), () => this.track(this.run(job, false)));
  }

  /** For a job already marked Stopping: a queued one leaves the queue and ends Stopped now; a launched one is asked to stop by `requestStop`. */
  async stop(job: ActiveJob<R>, requestStop: () => Promise<void>): Promise<void> {
    if (this.queue.cancel(this.kind.queueKey(job.name))) {
      await this.complete(job, { kind: 'stopped' });
      this.active.delete(job.name.toLowerCase());
    } else if (job.launched) {
      await requestStop();
    }
  }

  /** Records the job's final status; a job asked to stop that completed anyway ends Stopped. */
  async complete(job: ActiveJob<R>, outcome: JobOutcome, end?: End): Promise<void> {
    const final: JobOutcome = job.record.stopRequested && outcome.kind === 'completed' ? { kind: 'stopped' } : outcome;
    await job.update((r) => this.kind.finish(r, final, end));
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async run(job: ActiveJob<R>, resume: boolean): Promise<void> {
    const key = this.kind.queueKey(job.name);
    if (this.isClosing) {
      // Admitted while the server shuts down: left InProgress for the next start() to queue again.
      this.queue.release(key);
      return;
    }
    let outcome: JobOutcome;
    let end: End | undefined;
    try {
      if (resume) job.launched = true;
      end = await this.kind.execute(job, resume);
      outcome = end.outcome;
    } catch (error) {
      if (error instanceof ServerClosing || this.isClosing) {
        this.queue.release(key);
        return;
      }
      this.logger?.error({ err: error, job: job.name }, `${this.kind.label} failed inside the platform`);
      outcome = { kind: 'platform-error', message: error instanceof Error ? error.message : String(error) };
    }
    this.queue.release(key);
    try {
      await this.kind.settle(job, outcome, end);
    } catch (error) {
      this.logger?.error({ err: error, job: job.name }, `could not record the end of a ${this.kind.label}`);
    } finally {
      if (this.get(job.name) === job) this.active.delete(job.name.toLowerCase());
    }
  }

  /**
   * Resumes after a restart: launched jobs are re-attached (their capacity taken back at once), jobs
   * asked to stop before they launched end Stopped, the others are queued again, oldest first.
   */
  async start(): Promise<void> {
    for (const record of await this.repository.withStatus(['InProgress', 'Stopping'])) {
      if (this.kind.launched(record)) {
        const job = new ActiveJob(record, this.repository);
        this.active.set(record.name.toLowerCase(), job);
        this.queue.occupy(this.kind.queueKey(record.name), this.kind.demand(record));
        this.track(this.run(job, true));
      } else if (record.stopRequested) {
        await this.complete(new ActiveJob(record, this.repository), { kind: 'stopped' });
      } else {
        this.enqueue(record);
      }
    }
  }

  /** Stops following jobs (they keep running and are re-attached by the next start()). */
  async close(): Promise<void> {
    this.isClosing = true;
    await Promise.allSettled([...this.running]);
  }
}
