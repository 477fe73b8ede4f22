import type { PipePart } from './feeder-plan.js';
import type { ObjectSource, OpenedObject } from './object-source.js';

/**
 * Starts the GETs of the next objects of an epoch while the current one streams, so the pipe never
 * waits for a request's first byte between objects. Bodies not yet read are paused (their data
 * waits in socket buffers); `cancel` drops them when an epoch ends early.
 */
export class Prefetcher {
  private readonly opened = new Map<number, Promise<OpenedObject>>();

  constructor(
    private readonly source: ObjectSource,
    private readonly parts: readonly PipePart[],
    private readonly depth = 2,
  ) {}

  /** Starts fetching part `index` and the `depth` object parts after it. */
  warm(index: number): void {
    let ahead = 0;
    for (let i = index; i < this.parts.length && ahead <= this.depth; i++) {
      const part = this.parts[i] as PipePart;
      if ('text' in part) continue;
      ahead++;
      if (this.opened.has(i)) continue;
      const pending = this.source.open(part.bucket, part.key);
      pending.catch(() => undefined); // observed when taken
      this.opened.set(i, pending);
    }
  }

  /** Part `index`'s opened object (fetching ahead as well); the caller owns its body from now on. */
  take(index: number): Promise<OpenedObject> {
    this.warm(index);
    const pending = this.opened.get(index) as Promise<OpenedObject>;
    this.opened.delete(index);
    return pending;
  }

  /** Drops every response not taken. */
  cancel(): void {
    for (const pending of this.opened.values()) pending.then((o) => o.body.destroy()).catch(() => undefined);
    this.opened.clear();
  }
}
