/** What a retrieval caller is entitled to see. Filtering happens inside the store, before ranking leaves it. */
export interface AccessContext {
  organizationId: string;
  userId?: string;
  groups: readonly string[];
}

/** Who may read a document. A document with no ACL is readable by everyone in its organization. */
export interface DocumentAcl {
  public: boolean;
  users: string[];
  groups: string[];
}

export interface KnowledgeDocumentInput {
  id?: string;
  source: string;
  content: string;
  title?: string;
  url?: string;
  documentSets?: string[];
  acl?: DocumentAcl;
  metadata?: Record<string, string>;
}

export interface KnowledgeDocument {
  id: string;
  organizationId: string;
  source: string;
  title?: string;
  url?: string;
  content: string;
  documentSets: string[];
  acl?: DocumentAcl;
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
  /** When given, only documents in at least one of these sets are searched. */
  documentSets?: readonly string[];
}
