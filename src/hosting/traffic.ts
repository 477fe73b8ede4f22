/** Something traffic can be split across by weight (a production variant). */
export interface Weighted {
  readonly weight: number;
}

/** Something requests can be spread across (a variant instance). */
export interface Balanced {
  /** Requests sent to it that have not been answered yet. */
  readonly outstanding: number;
  /** Whether it can take requests now. */
  readonly ready: boolean;
}

/**
 * Picks one of `items` with probability proportional to its weight, as SageMaker splits an
 * endpoint's traffic across production variants. Items of weight 0 are never picked unless every
 * weight is 0 (then all are equally likely). `random` is a number in [0, 1). Undefined for an empty list.
 */
export function pickWeighted<T extends Weighted>(items: readonly T[], random: number = Math.random()): T | undefined {
  const total = items.reduce((sum, item) => sum + Math.max(0, item.weight), 0);
  if (total <= 0) return items[Math.min(items.length - 1, Math.floor(random * items.length))];
  let point = random * total;
  for (const item of items) {
    const weight = Math.max(0, item.weight);
    if (weight === 0) continue;
    if (point < weight) return item;
    point -= weight;
  }
  return [...items].reverse().find((item) => item.weight > 0);
}

/**
 * The ready item with the fewest outstanding requests (least outstanding requests routing); ties go
 * to the first one at or after `start` in list order, so that a caller rotating `start` spreads
 * an idle endpoint's requests round-robin. Undefined when none is ready; `exclude` lists items
 * already tried for this request.
 */
export function pickLeastOutstanding<T extends Balanced>(items: readonly T[], start = 0, exclude: ReadonlySet<T> = new Set()): T | undefined {
  let best: T | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[(start + i) % items.length] as T;
    if (!item.ready || exclude.has(item)) continue;
    if (best === undefined || item.outstanding < best.outstanding) best = item;
  }
  return best;
}
