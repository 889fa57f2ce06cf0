export type { Knowledge } from './knowledge.js';
export type * from './types.js';
export { MemoryKnowledge } from './memory-knowledge.js';
export { SEED_DOCUMENTS } from './seed-documents.js';
export { chunkText } from './chunk-text.js';
export { terms, stem } from './text-analysis.js';
