import type { KnowledgeHit } from '../knowledge/index.js';

const MAX_PASSAGE_CHARS = 600;

function passage(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_PASSAGE_CHARS ? flat : `${flat.slice(0, MAX_PASSAGE_CHARS)}…`;
}

/**
 * The reply when no LLM is configured: it quotes the knowledge base verbatim and says so, so a
 * visitor is never shown invented text presented as an answer.
 */
export function retrievalAnswer(hits: KnowledgeHit[]): string {
  if (hits.length === 0) {
    return (
      "I couldn't find anything about that in our knowledge base. " +
      '(This assistant is running without a language model, so it can only quote the knowledge base.)'
    );
  }
  const quotes = hits.map((h, i) => `${i + 1}. "${passage(h.text)}" (source: ${h.title ?? h.source})`);
  return [
    'This assistant is running without a language model, so here are the most relevant passages from our knowledge base, quoted as written:',
    '',
    ...quotes,
  ].join('\n');
}

/** Splits a reply into word-sized pieces so it streams like a model's answer. */
export function streamPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}
