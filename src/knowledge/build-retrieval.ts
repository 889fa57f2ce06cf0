import type { Config } from '../config/index.js';
import { DeterministicEmbedder } from './deterministic-embedder.js';
import type { Embedder } from './embedder.js';
import { GatewayEmbedder } from './gateway-embedder.js';
import { GatewayReranker } from './gateway-reranker.js';
import { LexicalReranker, type Reranker } from './reranker.js';

/** The embedder configuration asks for; the offline one needs no network and no key. */
export function buildEmbedder(config: Config): Embedder {
  const { retrieval, gateway } = config;
  if (retrieval.embeddings === 'gateway' && gateway.apiKey) {
    return new GatewayEmbedder({
      baseUrl: gateway.baseUrl,
      apiKey: gateway.apiKey,
      model: retrieval.embeddingModel,
      dimensions: retrieval.embeddingDimensions,
    });
  }
  return new DeterministicEmbedder({ tokens: 'terms' });
}

export function buildReranker(config: Config): Reranker | undefined {
  const { retrieval, gateway } = config;
  if (retrieval.rerank === 'lexical') return new LexicalReranker();
  if (retrieval.rerank === 'gateway' && gateway.apiKey) {
    return new GatewayReranker({ baseUrl: gateway.baseUrl, apiKey: gateway.apiKey, model: retrieval.rerankModel });
  }
  return undefined;
}
