import type { KnowledgeDocument } from '../types.js';
import { knowledgeKeys } from './knowledge-keys.js';
import type { Item } from './table-ops.js';

/** Content above this many UTF-8 bytes is split into part items: an item may not exceed 400 KB. */
const INLINE_MAX_BYTES = 300_000;
/** UTF-16 code units per part: at most 3 UTF-8 bytes each, so a part stays under 300 KB. */
const PART_UNITS = 100_000;

/** A document item as read back: the record, plus the generation of its chunks and its write count. */
export interface StoredDocument {
  document: KnowledgeDocument;
  generation: string;
  revision: number;
}

/** Splits without cutting a surrogate pair in two, which would not survive UTF-8 encoding. */
function split(content: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < content.length; ) {
    let end = Math.min(start + PART_UNITS, content.length);
    const last = content.charCodeAt(end - 1);
    if (end < content.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(content.slice(start, end));
    start = end;
  }
  return parts;
}

/** The document item, with its content inline or in part items (written before the document item). */
export function documentItems(stored: StoredDocument): { item: Item; parts: Item[] } {
  const { document, generation, revision } = stored;
  const { content, ...rest } = document;
  const base = { ...knowledgeKeys.document(document.organizationId, document.id), entity: 'knowledge-document', gen: generation, rev: revision, body: JSON.stringify(rest) };
  if (Buffer.byteLength(content, 'utf8') <= INLINE_MAX_BYTES) return { item: { ...base, content }, parts: [] };
  const parts = split(content).map((text, n) => ({ ...knowledgeKeys.part(document.organizationId, document.id, generation, n), entity: 'knowledge-part', gen: generation, text }));
  return { item: { ...base, parts: parts.length }, parts };
}

/** The record without its content: what ranking needs, and all a partition load reads. */
export function documentLabels(item: Item): Omit<StoredDocument, 'document'> & { document: Omit<KnowledgeDocument, 'content'> } {
  return { document: JSON.parse(String(item.body)) as Omit<KnowledgeDocument, 'content'>, generation: String(item.gen), revision: Number(item.rev) };
}

/** Reassembles a document item and (for long content) its part items, in part order. */
export function storedDocument(item: Item, parts: readonly Item[] = []): StoredDocument {
  const labels = documentLabels(item);
  const content = typeof item.content === 'string' ? item.content : parts.map((p) => String(p.text)).join('');
  return { ...labels, document: { ...labels.document, content } };
}

/** Whether the document's content lives in part items that must be read too. */
export const hasParts = (item: Item): boolean => typeof item.content !== 'string';
