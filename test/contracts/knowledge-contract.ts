import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessContext, Knowledge } from '../../src/knowledge/index.js';

const org1: AccessContext = { organizationId: 'org-1', groups: [] };
const org2: AccessContext = { organizationId: 'org-2', groups: [] };

/** The behaviour every Knowledge implementation must have. */
export function runKnowledgeContract(name: string, makeKnowledge: () => Promise<Knowledge>): void {
  describe(`knowledge contract: ${name}`, () => {
    let kb: Knowledge;
    beforeEach(async () => {
      kb = await makeKnowledge();
      await kb.upsert('org-1', [
        { id: 'returns.md', source: 'returns.md', content: 'Returns are accepted within 30 days of delivery for a full refund.' },
        { id: 'shipping.md', source: 'https://help.example.com/shipping', content: 'Standard shipping takes 5 to 7 business days.' },
      ]);
      await kb.upsert('org-2', [{ id: 'secret.md', source: 'secret.md', content: 'Org two returns policy: returns never accepted.' }]);
    });

    it('ranks the relevant document first, matching word forms', async () => {
      const hits = await kb.search('what is the return policy?', { access: org1, limit: 3 });
      expect(hits[0]?.documentId).toBe('returns.md');
      expect(hits[0]?.chunkId).toBe('returns.md#0');
      expect(hits[0]?.score).toBeGreaterThan(0);
      const shipping = await kb.search('how long does shipping take', { access: org1, limit: 1 });
      expect(shipping[0]?.source).toBe('https://help.example.com/shipping');
    });

    it('never returns another organization’s documents', async () => {
      const hits = await kb.search('returns policy', { access: org1, limit: 10 });
      expect(hits.map((h) => h.documentId)).not.toContain('secret.md');
      const other = await kb.search('returns policy', { access: org2, limit: 10 });
      expect(other.map((h) => h.documentId)).toEqual(['secret.md']);
      expect(await kb.get('org-1', 'secret.md')).toBeUndefined();
      expect(await kb.delete('org-1', 'secret.md')).toBe(false);
    });

    it('replaces a re-ingested document and deletes', async () => {
      await kb.upsert('org-1', [{ id: 'returns.md', source: 'returns.md', content: 'Refunds are issued within 10 days.' }]);
      expect((await kb.get('org-1', 'returns.md'))?.content).toBe('Refunds are issued within 10 days.');
      expect(await kb.search('accepted delivery', { access: org1, limit: 5 })).toEqual([]);
      expect(await kb.delete('org-1', 'returns.md')).toBe(true);
      expect((await kb.list('org-1')).map((d) => d.id)).toEqual(['shipping.md']);
    });

    it('answers nothing for an empty or stop-word query', async () => {
      expect(await kb.search('the of and', { access: org1, limit: 5 })).toEqual([]);
      expect(await kb.search('', { access: org1, limit: 5 })).toEqual([]);
    });
  });
}
