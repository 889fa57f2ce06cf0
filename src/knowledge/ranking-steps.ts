import type { Reranker } from './reranker.js';
import type { Ranked } from './top-k.js';

/** Each arm over-fetches so fusion and reranking have something to reorder. */
export function candidatesFor(limit: number): number {
  return Math.max(limit * 4, 20);
}

export interface RerankStep {
  reranker: Reranker | undefined;
  onRerankError: ((error: unknown) => void) | undefined;
}

/**
 * Reorders fused candidates with the store's reranker, if it has one. A failing reranker (other than
 * by cancellation) is reported and the fused order served, because a reranker outage must not take
 * retrieval down with it.
 */
export async function rerankCandidates<T>(
  step: RerankStep,
  query: string,
  candidates: Ranked<T>[],
  textOf: (item: T) => string,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<Ranked<T>[]> {
  if (!step.reranker || candidates.length === 0) return candidates;
  try {
    const results = await step.reranker.rerank(query, candidates.map((c) => textOf(c.item)), limit, signal);
    const reranked = results.flatMap(({ index, score }) => {
      const candidate = candidates[index];
      return candidate ? [{ item: candidate.item, score }] : [];
    });
    return reranked.length > 0 ? reranked : candidates;
  } catch (error) {
    if (signal?.aborted) throw error;
    step.onRerankError?.(error);
    return candidates;
  }
}
