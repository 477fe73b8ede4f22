import { createHash } from 'node:crypto';

/** An instance of a multi-model variant, as the chooser sees it. */
export interface MultiModelCandidate {
  /** Stable name of the instance (its instance id): the consistent hash is over these. */
  readonly key: string;
  /** Whether it can take requests now. */
  readonly ready: boolean;
  /** Requests sent to it and not answered yet. */
  readonly outstanding: number;
  /** Whether the model is loaded or being loaded there (MultiModelInstanceCache.holds). */
  holds(targetModel: string): boolean;
}

/** How much busier (in outstanding requests) than the least busy instance a preferred one may be before the request goes elsewhere. */
const defaultOverloadSlack = 8;

/** Rendezvous (highest random weight) score of `targetModel` on `key`. */
function score(targetModel: string, key: string): number {
  return createHash('sha256').update(key).update('\0').update(targetModel).digest().readUInt32BE(0);
}

/**
 * Picks the instance for a request to `targetModel` on a multi-model variant:
 * 1. an instance that already holds the model (the least busy of them), so a model's requests stay
 *    where it is loaded;
 * 2. otherwise the model's home by rendezvous hashing over the ready instances' keys, so that each
 *    model is loaded on one instance and adding or losing an instance moves only its share;
 * in both cases unless that instance has more than `slack` outstanding requests above the least busy
 * ready instance, which then takes the request (and loads the model there too).
 * Undefined when no ready instance is left; `exclude` lists instances already tried for this request.
 */
export function chooseInstance<T extends MultiModelCandidate>(
  instances: readonly T[],
  targetModel: string,
  exclude: ReadonlySet<T> = new Set(),
  slack: number = defaultOverloadSlack,
): T | undefined {
  const ready = instances.filter((instance) => instance.ready && !exclude.has(instance));
  if (ready.length === 0) return undefined;
  const leastBusy = ready.reduce((best, instance) => (instance.outstanding < best.outstanding ? instance : best));
  const acceptable = (instance: T): boolean => instance.outstanding <= leastBusy.outstanding + slack;
  const holders = ready.filter((instance) => instance.holds(targetModel));
  if (holders.length > 0) {
    const best = holders.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    if (acceptable(best)) return best;
  }
  let home = ready[0] as T;
  let homeScore = -1;
  for (const instance of ready) {
    const s = score(targetModel, instance.key);
    if (s > homeScore || (s === homeScore && instance.key < home.key)) {
      home = instance;
      homeScore = s;
    }
  }
  return acceptable(home) ? home : leastBusy;
}
