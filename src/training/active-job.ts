import type { TrainingJobRecord } from './training-job-record.js';

/**
 * A job the server is working on (a training job by default; processing jobs use it too): its
 * current record, changed only through `update`, which applies changes one at a time and stores
 * each, so the runner and Stop* never lose each other's changes.
 */
export class ActiveJob<R extends { readonly name: string } = TrainingJobRecord> {
  private chain: Promise<unknown> = Promise.resolve();
  /** Set once the executor has launched the instances. */
  launched = false;

  constructor(
    public record: R,
    private readonly repository: { update(record: R): Promise<void> },
  ) {}

  get name(): string {
    return this.record.name;
  }

  update(change: (record: R) => R): Promise<R> {
    const next = this.chain.then(async () => {
      const updated = change(this.record);
      await this.repository.update(updated);
      this.record = updated;
      return updated;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
