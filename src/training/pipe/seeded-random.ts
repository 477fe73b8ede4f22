/**
 * A 32-bit seeded PRNG (mulberry32): small, fast and the same everywhere for one seed. Returns a
 * function giving numbers in [0, 1). Pipe mode shuffles with it (epoch-order.ts); tests use it for
 * reproducible random input.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
