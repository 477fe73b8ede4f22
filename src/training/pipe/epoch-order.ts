import { createHash } from 'node:crypto';
import { seededRandom } from './seeded-random.js';

/**
 * `items` shuffled (Fisher–Yates) by a PRNG seeded from ShuffleConfig.Seed and the epoch: the same
 * seed and epoch give the same order on every instance and every run; each epoch's order differs.
 */
export function shuffleForEpoch<T>(items: readonly T[], seed: number | string, epoch: number): T[] {
  const digest = createHash('sha256')
    .update(`${String(seed)}:${epoch}`)
    .digest();
  const random = seededRandom(digest.readUInt32LE(0));
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** What decides one instance's items in one epoch of a Pipe channel. */
export interface EpochSelection {
  /** ShuffleConfig.Seed; absent → the base order every epoch. */
  readonly seed?: number | string;
  /** ShardedByS3Key → round-robin over the (shuffled) order; FullyReplicated → all items. */
  readonly sharded: boolean;
  readonly instanceCount: number;
  /** 0 = algo-1. */
  readonly instanceIndex: number;
}

/**
 * The items instance `instanceIndex` streams in `epoch`: the base order (sorted by key for
 * ShardedByS3Key, as File mode shards), shuffled per epoch when a seed is given, then dealt
 * round-robin when sharded — so with a seed the assignment changes every epoch (as SageMaker's
 * Pipe mode does), and every item still goes to exactly one instance per epoch.
 */
export function epochItems<T>(base: readonly T[], selection: EpochSelection, epoch: number): T[] {
  const order = selection.seed === undefined ? [...base] : shuffleForEpoch(base, selection.seed, epoch);
  if (!selection.sharded) return order;
  return order.filter((_, i) => i % selection.instanceCount === selection.instanceIndex);
}
