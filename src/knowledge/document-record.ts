import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KnowledgeDocument, KnowledgeDocumentInput } from './types.js';

export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The stored record for an input, before chunking; `chunkCount` is filled in by the store. */
export function documentRecord(organizationId: string, input: KnowledgeDocumentInput, updatedAt: string): KnowledgeDocument {
  return {
    id: input.id ?? randomUUID(),
    organizationId,
    source: input.source,
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.url !== undefined ? { url: input.url } : {}),
    content: input.content,
    documentSets: [...(input.documentSets ?? [])],
    ...(input.acl ? { acl: structuredClone(input.acl) } : {}),
    metadata: { ...(input.metadata ?? {}) },
    contentHash: contentHash(input.content),
    chunkCount: 0,
    updatedAt,
  };
}

/** Equal apart from bookkeeping (`chunkCount`, `updatedAt`): re-ingesting it would change nothing. */
export function sameDocument(a: KnowledgeDocument, b: KnowledgeDocument): boolean {
  const { chunkCount: _ac, updatedAt: _au, content: _a, ...restA } = a;
  const { chunkCount: _bc, updatedAt: _bu, content: _b, ...restB } = b;
  return isDeepStrictEqual(restA, restB);
}
