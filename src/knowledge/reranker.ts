import { terms } from './text-analysis.js';

export interface RerankResult {
  /** Position in the `documents` array given to `rerank`. */
  index: number;
  /** Higher is more relevant; reported as the hit's score. */
  score: number;
}

/**
 * Reorders fused candidates with a finer (and usually costlier) relevance model. A reranker may throw;
 * the store then keeps the fused order, because a reranker outage must not take retrieval down with it.
 */
export interface Reranker {
  readonly id: string;
  /** Best first, at most `topN` results. */
  rerank(query: string, documents: readonly string[], topN: number, signal?: AbortSignal): Promise<RerankResult[]>;
}

const SATURATION = 1.2;

/**
 * The reference's offline reranker: per distinct query term a saturating tf/(tf+1.2), damped by
 * 1+ln(1+length) so long chunks do not win on bulk. Ties keep the fused order.
 */
export class LexicalReranker implements Reranker {
  readonly id = 'lexical';

  async rerank(query: string, documents: readonly string[], topN: number): Promise<RerankResult[]> {
    const queryTerms = [...new Set(terms(query))];
    const scored = documents.map((text, index) => {
      const tokens = terms(text);
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      let sum = 0;
      for (const term of queryTerms) {
        const n = tf.get(term) ?? 0;
        sum += n / (n + SATURATION);
      }
      return { index, score: sum / (1 + Math.log(1 + tokens.length)) };
    });
    // Array.prototype.sort is stable, which is what keeps ties in fused order.
    return scored.sort((a, b) => b.score - a.score).slice(0, Math.max(topN, 0));
  }
}
