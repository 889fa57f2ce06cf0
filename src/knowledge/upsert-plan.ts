import { chunkDocument, type DocumentChunk } from './chunk-text.js';
import { documentRecord, sameDocument } from './document-record.js';
import type { KnowledgeDocument, KnowledgeDocumentInput, UpsertedDocument } from './types.js';

/**
 * What an upsert must do with one input, decided against the stored record. Every store plans the
 * same way, so "unchanged" means the same thing on every backend: same content hash and same fields.
 */
export type UpsertPlan =
  /** Nothing differs: no write, no re-embedding, the stored record (and its timestamp) stays. */
  | { kind: 'unchanged'; document: KnowledgeDocument }
  /** Same text, new labels (title, ACL, sets, …): the chunks and their vectors are kept. */
  | { kind: 'relabel'; document: KnowledgeDocument }
  /** New or changed text: chunked (and embedded) again, replacing every old chunk. */
  | { kind: 'reindex'; document: KnowledgeDocument; chunks: DocumentChunk[]; texts: string[]; created: boolean };

export function planUpsert(
  organizationId: string,
  input: KnowledgeDocumentInput,
  previous: KnowledgeDocument | undefined,
  updatedAt: string,
): UpsertPlan {
  const document = documentRecord(organizationId, input, updatedAt);
  if (previous && sameDocument(previous, document)) return { kind: 'unchanged', document: previous };
  if (previous && previous.contentHash === document.contentHash) {
    return { kind: 'relabel', document: { ...document, chunkCount: previous.chunkCount } };
  }
  const chunks = chunkDocument(document.content);
  const texts = chunks.map((c) => c.text);
  return { kind: 'reindex', document: { ...document, chunkCount: texts.length }, chunks, texts, created: !previous };
}

/** What `upsert` reports for a plan once it is committed. */
export function upsertedDocument(plan: UpsertPlan): UpsertedDocument {
  const outcome = plan.kind === 'unchanged' ? 'unchanged' : plan.kind === 'reindex' && plan.created ? 'created' : 'updated';
  return { ...structuredClone(plan.document), outcome };
}
