import { DeterministicEmbedder } from './deterministic-embedder.js';
import type { Embedder } from './embedder.js';
import { QueryAnalyzer } from './query-expansion.js';
import { WordNet, WordNetSpeller } from './wordnet.js';

export type { QueryAnalyzer };

let shared: QueryAnalyzer | undefined;

/**
 * The query analysis every store uses unless configured otherwise: the support-synonym list and
 * spelling correction against WordNet's vocabulary. WordNet synonyms are available (`WordNetSynonyms`)
 * but off: on the blind set they cost more recall than they brought.
 */
export function defaultAnalyzer(): QueryAnalyzer {
  shared ??= new QueryAnalyzer({ sources: [new WordNetSpeller(new WordNet())] });
  return shared;
}

/** The offline hashing embedder only re-encodes the keyword arm's stems; a model embedder adds meaning. */
export function denseByDefault(embedder: Embedder): boolean {
  return !(embedder instanceof DeterministicEmbedder);
}
