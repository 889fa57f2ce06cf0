import { z } from 'zod';
import type { Reranker, RerankResult } from './reranker.js';

export interface GatewayRerankerOptions {
  /** The gateway's API root, e.g. `https://gateway.example.com/v1`; requests go to `{baseUrl}/rerank`. */
  baseUrl: string;
  apiKey: string;
  /** e.g. `cohere/rerank-v3.5`. */
  model: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const rerankResponse = z.object({
  results: z.array(z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() })),
});

/**
 * Cohere/Jina-style `POST /rerank`, as LiteLLM exposes it. It throws on any failure; the store then
 * keeps the fused order. No retries: a rerank sits on the latency path of a live turn.
 */
export class GatewayReranker implements Reranker {
  readonly id: string;
  private readonly url: string;

  constructor(private readonly options: GatewayRerankerOptions) {
    this.id = `gateway:${options.model}`;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/rerank`;
  }

  async rerank(query: string, documents: readonly string[], topN: number, signal?: AbortSignal): Promise<RerankResult[]> {
    if (documents.length === 0 || topN <= 0) return [];
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const response = await (this.options.fetch ?? fetch)(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: this.options.model, query, documents, top_n: Math.min(topN, documents.length) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`rerank gateway answered HTTP ${response.status}`);
    }
    const parsed = rerankResponse.safeParse(await response.json());
    if (!parsed.success) throw new Error(`rerank gateway answered an unexpected body: ${parsed.error.message}`);
    const seen = new Set<number>();
    const results: RerankResult[] = [];
    for (const r of parsed.data.results) {
      if (r.index >= documents.length || seen.has(r.index)) continue;
      seen.add(r.index);
      results.push({ index: r.index, score: r.relevance_score });
    }
    return results.sort((a, b) => b.score - a.score).slice(0, topN);
  }
}
