/**
 * Where knowledge lives in the single table. Everything of one organization shares one partition, so
 * a search reads exactly that organization's chunks and no other's:
 *
 *   record           pk              sk
 *   document         KNOW#<org>      DOC#<docId>
 *   chunk            KNOW#<org>      CHUNK#<enc docId>#<generation>#<6-digit ordinal>
 *   content part     KNOW#<org>      BODY#<enc docId>#<generation>#<4-digit part>     (long documents only)
 *   change counter   KNOW#<org>      VERSION
 *   embedding space  KNOWLEDGE       EMBEDDING_SPACE
 *
 * A document's chunks and content parts carry the generation they were written for; the document
 * item names its current generation, and anything else under its prefix is ignored. The document id
 * is URI-encoded in those keys so that no id is a prefix of another's (`a` vs `a#b`).
 */
export const knowledgeKeys = {
  partition: (organizationId: string): string => `KNOW#${organizationId}`,
  document: (organizationId: string, documentId: string) => ({ pk: `KNOW#${organizationId}`, sk: `DOC#${documentId}` }),
  documentPrefix: 'DOC#',
  chunkPrefix: 'CHUNK#',
  chunksOf: (documentId: string): string => `CHUNK#${encodeURIComponent(documentId)}#`,
  chunk: (organizationId: string, documentId: string, generation: string, ordinal: number) => ({
    pk: `KNOW#${organizationId}`,
    sk: `CHUNK#${encodeURIComponent(documentId)}#${generation}#${String(ordinal).padStart(6, '0')}`,
  }),
  partsOf: (documentId: string): string => `BODY#${encodeURIComponent(documentId)}#`,
  part: (organizationId: string, documentId: string, generation: string, n: number) => ({
    pk: `KNOW#${organizationId}`,
    sk: `BODY#${encodeURIComponent(documentId)}#${generation}#${String(n).padStart(4, '0')}`,
  }),
  version: (organizationId: string) => ({ pk: `KNOW#${organizationId}`, sk: 'VERSION' }),
  space: { pk: 'KNOWLEDGE', sk: 'EMBEDDING_SPACE' },
};
