import type { Ranked } from './top-k.js';

/** The constant from Cormack et al. and the reference's Postgres query; it damps the head of each list. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each list contributes 1/(k + rank) per item, rank starting at 1. It needs no
 * score calibration between BM25 and cosine, which live on unrelated scales. Ties keep first appearance.
 */
export function reciprocalRankFusion<T>(lists: ReadonlyArray<ReadonlyArray<Ranked<T>>>, k: number = RRF_K): Ranked<T>[] {
  const fused = new Map<T, number>();
  for (const list of lists) {
    list.forEach(({ item }, rank) => fused.set(item, (fused.get(item) ?? 0) + 1 / (k + rank + 1)));
  }
  // Map iteration is insertion order and sort is stable, so ties resolve by first appearance.
  return [...fused].map(([item, score]) => ({ item, score })).sort((a, b) => b.score - a.score);
}
