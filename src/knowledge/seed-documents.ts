import type { KnowledgeDocumentInput } from './types.js';

/** The two demo policy documents `SMOOTH_AGENT_SEED_KB=1` loads, so a fresh server can answer something real. */
export const SEED_DOCUMENTS: readonly KnowledgeDocumentInput[] = Object.freeze([
  {
    id: 'policies/returns.md',
    source: 'policies/returns.md',
    title: 'Returns policy',
    content: "SmooAI's return window is exactly 17 days from delivery. Returns after 17 days are not accepted.",
    documentSets: ['policies'],
    metadata: { document_set: 'policies' },
  },
  {
    id: 'policies/shipping.md',
    source: 'policies/shipping.md',
    title: 'Shipping policy',
    content: 'SmooAI standard shipping takes 5 to 7 business days. Expedited shipping takes 2 business days.',
    documentSets: ['policies'],
    metadata: { document_set: 'policies' },
  },
]);
