/** What a retrieval caller is entitled to see. Filtering happens inside the store, before ranking leaves it. */
export interface AccessContext {
  organizationId: string;
  userId?: string;
  groups: readonly string[];
}

export interface KnowledgeDocumentInput {
  id?: string;
  source: string;
  content: string;
  title?: string;
  url?: string;
  metadata?: Record<string, string>;
}

export interface KnowledgeDocument {
  id: string;
  organizationId: string;
  source: string;
  title?: string;
  url?: string;
  content: string;
  metadata: Record<string, string>;
  contentHash: string;
  chunkCount: number;
  updatedAt: string;
}

export interface KnowledgeHit {
  documentId: string;
  chunkId: string;
  source: string;
  title?: string;
  url?: string;
  text: string;
  score: number;
}

export interface SearchOptions {
  access: AccessContext;
  limit: number;
}
