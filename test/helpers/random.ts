// Seeded randomness so fuzz-style tests are reproducible: a failure names its seed.
/** The platform's seeded PRNG (mulberry32), the one Pipe mode shuffles with. */
export { seededRandom } from '../../src/training/pipe/index.js';

/** Picks one element of a non-empty list. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
