/** What a job asks of the machine. */
export interface Demand {
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly gpus: number;
}

interface Waiting {
  readonly name: string;
  readonly demand: Demand;
  readonly start: () => void;
}

/**
 * First-in first-out admission against a fixed capacity (CPUs, memory, GPUs): a job starts when
 * its demand fits in what running jobs leave free and every job queued before it has started. A
 * demand larger than the whole machine is clamped to it (the job then runs alone) so that nothing
 * waits forever.
 */
export class CapacityQueue {
  private readonly queue: Waiting[] = [];
  private readonly running = new Map<string, Demand>();

  constructor(private readonly capacity: Demand) {}

  private clamp(demand: Demand): Demand {
    return {
      cpus: Math.min(demand.cpus, this.capacity.cpus),
      memoryMiB: Math.min(demand.memoryMiB, this.capacity.memoryMiB),
      gpus: Math.min(demand.gpus, this.capacity.gpus),
    };
  }

  private used(): Demand {
    let cpus = 0;
    let memoryMiB = 0;
    let gpus = 0;
    for (const d of this.running.values()) {
      cpus += d.cpus;
      memoryMiB += d.memoryMiB;
      gpus += d.gpus;
    }
    return { cpus, memoryMiB, gpus };
  }

  private fits(demand: Demand): boolean {
    const used = this.used();
    return (
      used.cpus + demand.cpus <= this.capacity.cpus &&
      used.memoryMiB + demand.memoryMiB <= this.capacity.memoryMiB &&
      used.gpus + demand.gpus <= this.capacity.gpus
    );
  }

  /** Queues a job; `start` is called (synchronously or later) once it is admitted. */
  submit(name: string, demand: Demand, start: () => void): void {
    this.queue.push({ name, demand: this.clamp(demand), start });
    this.admit();
  }

  /** Counts a job that is already running (re-attached after a restart) without queueing it. */
  occupy(name: string, demand: Demand): void {
    this.running.set(name, this.clamp(demand));
  }

  /** Removes a queued job; true if it was waiting. */
  cancel(name: string): boolean {
    const index = this.queue.findIndex((w) => w.name === name);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    this.admit();
    return true;
  }

  /** A running job finished: its capacity is free again. */
  release(name: string): void {
    if (this.running.delete(name)) this.admit();
  }

  /** Names of queued jobs, oldest first. */
  get waiting(): string[] {
    return this.queue.map((w) => w.name);
  }

  private admit(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiting;
      if (this.running.size > 0 && !this.fits(head.demand)) return;
      this.queue.shift();
      this.running.set(head.name, head.demand);
      head.start();
    }
  }
}
