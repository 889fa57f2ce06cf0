export type { Knowledge } from './knowledge.js';
export type * from './types.js';
export { MemoryKnowledge, type MemoryKnowledgeOptions, type RetrievalOptions } from './memory-knowledge.js';
export { QueryAnalyzer, parseSynonyms, DEFAULT_SUPPORT_SYNONYMS, type TermSource } from './query-expansion.js';
export { DEFAULT_WEIGHTS, DEFAULT_MIN_CONFIDENCE, type RankingWeights } from './field-ranking.js';
export type { MemoryKnowledgeSnapshot } from './memory-snapshot.js';
export {
  EmbedderMismatchError,
  assertSameEmbeddingSpace,
  embeddingSpaceOf,
  type Embedder,
  type EmbeddingSpace,
} from './embedder.js';
export { DeterministicEmbedder, type DeterministicEmbedderOptions } from './deterministic-embedder.js';
export { GatewayEmbedder, type GatewayEmbedderOptions } from './gateway-embedder.js';
export { LexicalReranker, type Reranker, type RerankResult } from './reranker.js';
export { GatewayReranker, type GatewayRerankerOptions } from './gateway-reranker.js';
export { canRead } from './access.js';
export { SEED_DOCUMENTS } from './seed-documents.js';
export { chunkText, chunkDocument, type DocumentChunk } from './chunk-text.js';
export { terms, stem } from './text-analysis.js';
export { buildEmbedder, buildReranker, buildRetrievalOptions } from './build-retrieval.js';
export { knowledgeForStorage, type KnowledgeForStorageOptions } from './open-knowledge.js';
// The durable stores are loaded on demand by knowledgeForStorage (DynamoDB's pulls in the AWS SDK).
export type { SqlKnowledge, SqlKnowledgeOptions } from './sql/sql-knowledge.js';
export type { DynamoKnowledge, DynamoKnowledgeOptions } from './dynamodb/dynamo-knowledge.js';
