import type { Config } from '../config/index.js';
import { DeterministicEmbedder } from './deterministic-embedder.js';
import type { Embedder } from './embedder.js';
import { GatewayEmbedder } from './gateway-embedder.js';
import { GatewayReranker } from './gateway-reranker.js';
import type { RetrievalOptions } from './memory-knowledge.js';
import { QueryAnalyzer, type TermSource } from './query-expansion.js';
import { LexicalReranker, type Reranker } from './reranker.js';
import { defaultAnalyzer } from './retrieval-defaults.js';
import { WordNet, WordNetSpeller, WordNetSynonyms } from './wordnet.js';

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

/**
 * Query analysis as configured: the built-in support synonyms plus the operator's file, spelling
 * correction, and WordNet synonyms unless turned off. Reading the synonym file fails the boot, loudly.
 */
export function buildRetrievalOptions(config: Config): RetrievalOptions {
  const { synonymsFile, wordnetSynonyms } = config.retrieval;
  if (!synonymsFile && wordnetSynonyms) return { analyzer: defaultAnalyzer() };
  const wordnet = new WordNet();
  const sources: TermSource[] = [new WordNetSpeller(wordnet), ...(wordnetSynonyms ? [new WordNetSynonyms(wordnet)] : [])];
  return { analyzer: QueryAnalyzer.withSynonymFile(synonymsFile, sources) };
}
