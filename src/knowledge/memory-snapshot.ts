import type { EmbeddingSpace } from './embedder.js';
import type { KnowledgeDocument } from './types.js';

export const SNAPSHOT_FORMAT = 'smooth-operator/memory-knowledge@1';

/**
 * A JSON-serialisable image of a `MemoryKnowledge`, vectors included, so an in-memory index can be
 * saved and reloaded without paying for re-embedding. It names the embedding space it was built in;
 * restoring it under another embedder is refused with `EmbedderMismatchError`.
 */
export interface MemoryKnowledgeSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** Absent when nothing was embedded yet. */
  embedding?: EmbeddingSpace;
  documents: Array<{
    document: KnowledgeDocument;
    /** Unit vectors; absent for a chunk that embedded to zero. */
    chunks: Array<{ text: string; headings?: string[]; vector?: number[] }>;
  }>;
}
