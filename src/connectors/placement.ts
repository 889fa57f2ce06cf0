import type { DocumentAcl } from '../knowledge/index.js';
import { place } from '../ingest/documents.js';
import type { SourceDocument } from './source.js';

/** What every document of one connector carries besides its own content. */
export interface ConnectorPlacement {
  connectorName: string;
  documentSets?: readonly string[];
  acl?: DocumentAcl;
  /** Merged over the document's own metadata. */
  metadata?: Record<string, string>;
}

/**
 * Stamps sets, ACL and the connector's name on a document, as `smooth-operator ingest --set/--group`
 * would. Deterministic, so an unchanged source re-ingests as `unchanged`.
 */
export function placeDocument(document: SourceDocument, placement: ConnectorPlacement): SourceDocument {
  const placed = place(document, { documentSets: placement.documentSets ?? [], ...(placement.acl ? { acl: placement.acl } : {}) });
  return { ...placed, metadata: { ...document.metadata, ...placement.metadata, connector: placement.connectorName } };
}
