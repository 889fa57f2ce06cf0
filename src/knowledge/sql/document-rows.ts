import type { DocumentAcl, KnowledgeDocument } from '../types.js';

/** A `knowledge_documents` row as both drivers return it: timestamptz as Date, jsonb parsed. */
export interface DocumentRow {
  organization_id: string;
  id: string;
  source: string;
  title: string | null;
  url: string | null;
  content: string;
  document_sets: string[];
  acl: DocumentAcl | null;
  metadata: Record<string, string>;
  content_hash: string;
  chunk_count: number;
  revision: string | number;
  updated_at: Date | string;
}

export function toDocument(row: DocumentRow): KnowledgeDocument {
  return {
    id: row.id,
    organizationId: row.organization_id,
    source: row.source,
    ...(row.title !== null ? { title: row.title } : {}),
    ...(row.url !== null ? { url: row.url } : {}),
    content: row.content,
    documentSets: row.document_sets,
    ...(row.acl !== null ? { acl: { public: row.acl.public, users: row.acl.users, groups: row.acl.groups } } : {}),
    metadata: row.metadata,
    contentHash: row.content_hash,
    chunkCount: Number(row.chunk_count),
    updatedAt: (row.updated_at instanceof Date ? row.updated_at : new Date(row.updated_at)).toISOString(),
  };
}

/**
 * The access labels copied onto every chunk of a document: `acl_open` when anyone in the organization
 * may read it (no ACL, or a public one), else the users and groups it names.
 */
export function chunkLabels(document: KnowledgeDocument): { open: boolean; users: string; groups: string; sets: string } {
  const acl = document.acl;
  const open = !acl || acl.public;
  return {
    open,
    users: JSON.stringify(open ? [] : acl.users),
    groups: JSON.stringify(open ? [] : acl.groups),
    sets: JSON.stringify(document.documentSets),
  };
}
