import type { KnowledgeDocument, KnowledgeDocumentInput, KnowledgeHit, SearchOptions, UpsertedDocument } from './types.js';

/**
 * The retrieval seam. One interface serves the auto-injected context block, the
 * `knowledge_search` tool and citations, so all three see exactly the same documents.
 */
export interface Knowledge {
  /**
   * Inserts or replaces documents (by id) in the organization; returns one entry per input, in input
   * order, saying whether it was created, updated or left unchanged.
   */
  upsert(organizationId: string, documents: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]>;
  /**
   * Ranks only what `options.access` may read (organization, ACL) within `options.documentSets`;
   * filtering happens before scoring, so nothing else can leak through scores or limits.
   */
  search(query: string, options: SearchOptions): Promise<KnowledgeHit[]>;
  get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined>;
  list(organizationId: string): Promise<KnowledgeDocument[]>;
  delete(organizationId: string, id: string): Promise<boolean>;
}
