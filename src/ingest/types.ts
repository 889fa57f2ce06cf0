import type { KnowledgeDocumentInput } from '../knowledge/index.js';

/** A document ready to upload: the id is always set so re-ingesting the same source replaces it. */
export type LoadedDocument = KnowledgeDocumentInput & { id: string };

/** What the collectors yield while they work, in the order it happens. */
export type IngestItem =
  | { kind: 'discovered'; count: number }
  | { kind: 'document'; document: LoadedDocument }
  | { kind: 'skipped'; source: string; reason: string }
  | { kind: 'failed'; source: string; reason: string }
  | { kind: 'note'; message: string };
