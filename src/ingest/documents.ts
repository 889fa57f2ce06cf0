import type { DocumentAcl } from '../knowledge/index.js';
import type { Extracted } from './formats/index.js';
import type { IngestItem, LoadedDocument } from './types.js';

// The admin API's field limits; checking here gives one clear reason instead of a failed batch.
const MAX_ID = 512;
const MAX_SOURCE = 2048;
const MAX_TITLE = 512;

/** Turns extracted text into a document, or says why it can't be one. */
export function toDocument(
  identity: { id: string; source: string; url?: string },
  extracted: Extracted,
  fallbackTitle?: string,
): IngestItem {
  const { id, source, url } = identity;
  if (id.length > MAX_ID || source.length > MAX_SOURCE) {
    return { kind: 'failed', source, reason: `path or URL is longer than the admin API accepts (${MAX_ID} characters for an id)` };
  }
  const content = extracted.content.trim();
  if (content === '') return { kind: 'skipped', source, reason: 'no text content' };
  const title = (extracted.title ?? fallbackTitle)?.slice(0, MAX_TITLE);
  const document: LoadedDocument = { id, source, content, ...(title ? { title } : {}), ...(url !== undefined ? { url } : {}) };
  return { kind: 'document', document };
}

/** What every document of one run shares: its document sets and who may read it. */
export interface Placement {
  documentSets: readonly string[];
  acl?: DocumentAcl;
}

export function place(document: LoadedDocument, placement: Placement): LoadedDocument {
  return {
    ...document,
    ...(placement.documentSets.length > 0 ? { documentSets: [...placement.documentSets] } : {}),
    ...(placement.acl ? { acl: { ...placement.acl, users: [...placement.acl.users], groups: [...placement.acl.groups] } } : {}),
  };
}
