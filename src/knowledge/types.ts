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

/** What `upsert` did with one input. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * A stored document plus what the upsert did. `unchanged` means every stored field (content hash,
 * source, title, url, sets, ACL, metadata) already matched, so nothing was re-chunked, re-embedded or
 * re-timestamped: connectors can re-send whole corpora cheaply and count what actually changed.
 */
export interface UpsertedDocument extends KnowledgeDocument {
  outcome: UpsertOutcome;
}

export interface KnowledgeHit {
  documentId: string;
  chunkId: string;
  source: string;
  title?: string;
  url?: string;
  text: string;
  /** Heading path of the chunk inside its document, outermost first (absent before any heading). */
  headings?: string[];
  /** Ranking score: higher is better within one result list, not comparable across queries. */
  score: number;
  /**
   * How much of the query the hit's document covers: the idf-weighted share of the query's words
   * (or their synonyms, at their lower weight) found in it, in [0, 1]. Comparable across queries and
   * backends, which is what a relevance threshold needs. Every store sets it; hits recorded before it
   * existed (a parked turn's checkpoint) lack it.
   */
  confidence?: number;
}

export interface SearchOptions {
  access: AccessContext;
  limit: number;
  /** When given, only documents in at least one of these sets are searched. */
  documentSets?: readonly string[];
  /** Hits whose `confidence` is below this are dropped (the knowledge base "had nothing"). */
  minConfidence?: number;
  /** Aborts remote work (query embedding, reranking) when the turn is cancelled. */
  signal?: AbortSignal;
}
