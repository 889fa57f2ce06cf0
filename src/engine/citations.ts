import type { KnowledgeHit } from '../knowledge/index.js';
import type { Citation } from '../protocol/index.js';

export const MAX_CITATIONS = 8;
export const MAX_SNIPPET_CHARS = 280;

function snippet(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_SNIPPET_CHARS ? text : `${chars.slice(0, MAX_SNIPPET_CHARS).join('')}…`;
}

function webUrl(hit: KnowledgeHit): string | undefined {
  if (hit.url && /^https?:\/\//i.test(hit.url)) return hit.url;
  return /^https?:\/\//i.test(hit.source) ? hit.source : undefined;
}

/** Deduplicates by document (first occurrence wins, so auto-retrieved context ranks first) and caps the list. */
export function buildCitations(hits: KnowledgeHit[]): Citation[] {
  const seen = new Set<string>();
  const citations: Citation[] = [];
  for (const hit of hits) {
    if (seen.has(hit.documentId)) continue;
    seen.add(hit.documentId);
    const url = webUrl(hit);
    citations.push({
      id: hit.documentId,
      title: hit.title ?? hit.source,
      ...(url ? { url } : {}),
      snippet: snippet(hit.text),
      score: Number.isFinite(hit.score) ? hit.score : 0,
    });
    if (citations.length === MAX_CITATIONS) break;
  }
  return citations;
}
