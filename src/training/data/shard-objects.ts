import { compareUtf8 } from '../../objectstore/index.js';
import type { ChannelObject } from './channel-object.js';

/** How a channel's objects are spread across instances (S3DataDistributionType). */
export type DataDistribution = 'FullyReplicated' | 'ShardedByS3Key';

/**
 * Splits items in the order given: FullyReplicated → every instance gets all of them;
 * ShardedByS3Key → item i goes to instance i mod N (round-robin), so every item lands on exactly one
 * instance and shard sizes differ by at most one (instances beyond the item count get none).
 * Usable for augmented-manifest lines as well as objects. Index = instance (0 = algo-1).
 */
export function shardItems<T>(items: readonly T[], instanceCount: number, distribution: DataDistribution): T[][] {
  if (!Number.isInteger(instanceCount) || instanceCount < 1) throw new RangeError(`instanceCount must be a positive integer, got ${instanceCount}`);
  if (distribution === 'FullyReplicated') return Array.from({ length: instanceCount }, () => [...items]);
  const shards = Array.from({ length: instanceCount }, (): T[] => []);
  items.forEach((item, index) => (shards[index % instanceCount] as T[]).push(item));
  return shards;
}

/**
 * The objects each instance gets (index = instance, 0 = algo-1). ShardedByS3Key sorts the objects by
 * bucket and key (S3's UTF-8 order) and deals them round-robin: key i of the sorted list goes to
 * `algo-(i mod N + 1)`. SageMaker's exact assignment is undocumented; this one is deterministic,
 * covers every key exactly once and balances object counts (not bytes), as SageMaker describes.
 */
export function shardObjects(objects: ChannelObject[], instanceCount: number, distribution: DataDistribution): ChannelObject[][] {
  const sorted = [...objects].sort((a, b) => compareUtf8(a.bucket, b.bucket) || compareUtf8(a.key, b.key));
  return shardItems(distribution === 'FullyReplicated' ? objects : sorted, instanceCount, distribution);
}
