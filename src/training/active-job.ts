import type { TrainingJobRecord } from './training-job-record.js';
import type { TrainingJobRepository } from './training-job-repository.js';

/**
 * A job the server is working on: its current record, changed only through `update`, which
 * applies changes one at a time and stores each, so the runner and StopTrainingJob never lose
 * each other's changes.
 */
export class ActiveJob {
  private chain: Promise<unknown> = Promise.resolve();
  /** Set once the executor has launched the instances. */
  launched = false;

  constructor(
    public record: TrainingJobRecord,
    private readonly repository: TrainingJobRepository,
  ) {}

  get name(): string {
    return this.record.name;
  }

  update(change: (record: TrainingJobRecord) => TrainingJobRecord): Promise<TrainingJobRecord> {
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
