import type { KnowledgeDocument, KnowledgeDocumentInput, KnowledgeHit, SearchOptions } from './types.js';

/**
 * The retrieval seam. One interface serves the auto-injected context block, the
 * `knowledge_search` tool and citations, so all three see exactly the same documents.
 */
export interface Knowledge {
  /** Inserts or replaces documents (by id) in the organization; returns what was stored. */
  upsert(organizationId: string, documents: KnowledgeDocumentInput[]): Promise<KnowledgeDocument[]>;
  search(query: string, options: SearchOptions): Promise<KnowledgeHit[]>;
  get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined>;
  list(organizationId: string): Promise<KnowledgeDocument[]>;
  delete(organizationId: string, id: string): Promise<boolean>;
}
