import { beforeEach, describe, expect, it } from 'vitest';
import {
  EmbedderMismatchError,
  type AccessContext,
  type DocumentAcl,
  type Embedder,
  type Knowledge,
  type KnowledgeHit,
} from '../../src/knowledge/index.js';

const org1: AccessContext = { organizationId: 'org-1', groups: [] };
const org2: AccessContext = { organizationId: 'org-2', groups: [] };

export interface KnowledgeContractHooks {
  /**
   * Opens the same underlying store again, configured with `embedder` (a restart after a config
   * change). Stores that cannot be reopened omit it, and the embedder-mismatch case is skipped.
   */
  reopenWith?: (kb: Knowledge, embedder: Embedder) => Promise<Knowledge>;
}

const ids = (hits: KnowledgeHit[]): string[] => hits.map((h) => h.documentId);

/**
 * The behaviour every Knowledge implementation must have. Assertions about what a search returns are
 * written as "includes" and "excludes", never as exact lists, because a semantic dense arm may
 * legitimately add loosely related documents that a hashed one would not.
 */
export function runKnowledgeContract(name: string, makeKnowledge: () => Promise<Knowledge>, hooks: KnowledgeContractHooks = {}): void {
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
      expect(ids(hits)).not.toContain('secret.md');
      const other = await kb.search('returns policy', { access: org2, limit: 10 });
      expect(ids(other)).toEqual(['secret.md']);
      expect(await kb.get('org-1', 'secret.md')).toBeUndefined();
      expect(await kb.delete('org-1', 'secret.md')).toBe(false);
    });

    it('replaces a re-ingested document and deletes', async () => {
      await kb.upsert('org-1', [{ id: 'returns.md', source: 'returns.md', content: 'Refunds are issued within 10 days.' }]);
      expect((await kb.get('org-1', 'returns.md'))?.content).toBe('Refunds are issued within 10 days.');
      const stale = await kb.search('accepted delivery', { access: org1, limit: 5 });
      expect(stale.filter((h) => h.text.includes('accepted'))).toEqual([]);
      expect(await kb.delete('org-1', 'returns.md')).toBe(true);
      expect((await kb.list('org-1')).map((d) => d.id)).toEqual(['shipping.md']);
    });

    it('finds a document upserted after a search of the then empty organization, and after its last document was deleted', async () => {
      const org3: AccessContext = { organizationId: 'org-3', groups: [] };
      // Searches of an organization without documents are cut short; that must not outlive its first write.
      expect(await kb.search('puffins nest', { access: org3, limit: 3 })).toEqual([]);
      expect(await kb.search('puffins nest', { access: org3, limit: 3 })).toEqual([]);
      await kb.upsert('org-3', [{ id: 'puffins.md', source: 'puffins.md', content: 'Puffins nest in burrows on cliff tops.' }]);
      expect(ids(await kb.search('puffins nest', { access: org3, limit: 3 }))).toContain('puffins.md');
      expect(await kb.delete('org-3', 'puffins.md')).toBe(true);
      expect(await kb.search('puffins nest', { access: org3, limit: 3 })).toEqual([]);
      await kb.upsert('org-3', [{ id: 'gulls.md', source: 'gulls.md', content: 'Gulls nest on rooftops.' }]);
      expect(ids(await kb.search('gulls nest', { access: org3, limit: 3 }))).toContain('gulls.md');
    });

    it('answers nothing for an empty or stop-word query', async () => {
      expect(await kb.search('the of and', { access: org1, limit: 5 })).toEqual([]);
      expect(await kb.search('', { access: org1, limit: 5 })).toEqual([]);
    });

    describe('access control', () => {
      const acl = (a: Partial<DocumentAcl>): DocumentAcl => ({ public: false, users: [], groups: [], ...a });
      // The restricted documents repeat the query words so they would outrank the readable ones if
      // filtering happened after ranking; limit 1 then shows the filter runs first.
      beforeEach(async () => {
        await kb.upsert('org-1', [
          { id: 'public.md', source: 'public.md', content: 'The zebra handbook, public edition.', acl: acl({ public: true }) },
          { id: 'open.md', source: 'open.md', content: 'The zebra handbook, everyone-in-the-company edition.' },
          { id: 'alice.md', source: 'alice.md', content: 'Zebra handbook zebra handbook: notes only Alice may read.', acl: acl({ users: ['alice'] }) },
          { id: 'support.md', source: 'support.md', content: 'Zebra handbook zebra handbook: the support team escalation copy.', acl: acl({ groups: ['support'] }) },
        ]);
      });

      const everyone = ['public.md', 'open.md'];
      const cases: Array<[string, AccessContext, string[]]> = [
        ['anonymous', { organizationId: 'org-1', groups: [] }, everyone],
        ['anonymous claiming a group', { organizationId: 'org-1', groups: ['support'] }, everyone],
        ['a named user without grants', { organizationId: 'org-1', userId: 'carol', groups: [] }, everyone],
        ['the named user', { organizationId: 'org-1', userId: 'alice', groups: [] }, [...everyone, 'alice.md']],
        ['a group member', { organizationId: 'org-1', userId: 'bob', groups: ['staff', 'support'] }, [...everyone, 'support.md']],
        ['the same user in another organization', { organizationId: 'org-2', userId: 'alice', groups: ['support'] }, []],
      ];
      const all = ['public.md', 'open.md', 'alice.md', 'support.md'];

      it.each(cases)('%s sees exactly what the ACLs grant', async (_label, access, readable) => {
        const hits = await kb.search('zebra handbook', { access, limit: 10 });
        expect(ids(hits)).toEqual(expect.arrayContaining(readable));
        for (const id of all.filter((d) => !readable.includes(d))) expect(ids(hits)).not.toContain(id);

        const first = await kb.search('zebra handbook', { access, limit: 1 });
        if (readable.length === 0) expect(ids(first).filter((id) => all.includes(id))).toEqual([]);
        else expect(readable).toContain(first[0]?.documentId);
      });

      it('applies a changed ACL without a content change', async () => {
        const [updated] = await kb.upsert('org-1', [
          { id: 'alice.md', source: 'alice.md', content: 'Zebra handbook zebra handbook: notes only Alice may read.', acl: acl({ users: ['dave'] }) },
        ]);
        expect(updated?.outcome).toBe('updated');
        const alice = await kb.search('zebra handbook', { access: { organizationId: 'org-1', userId: 'alice', groups: [] }, limit: 10 });
        expect(ids(alice)).not.toContain('alice.md');
        const dave = await kb.search('zebra handbook', { access: { organizationId: 'org-1', userId: 'dave', groups: [] }, limit: 10 });
        expect(ids(dave)).toContain('alice.md');
      });
    });

    it('filters by document set; an empty filter matches nothing', async () => {
      await kb.upsert('org-1', [
        { id: 'faq.md', source: 'faq.md', content: 'Quokka care frequently asked questions.', documentSets: ['faq'] },
        { id: 'policy.md', source: 'policy.md', content: 'Quokka care policy.', documentSets: ['policies'] },
        { id: 'both.md', source: 'both.md', content: 'Quokka care policy FAQ.', documentSets: ['faq', 'policies'] },
        { id: 'loose.md', source: 'loose.md', content: 'Quokka care notes.' },
      ]);
      const search = (documentSets?: string[]) =>
        kb.search('quokka care', { access: org1, limit: 10, ...(documentSets ? { documentSets } : {}) }).then(ids);
      const faq = await search(['faq']);
      expect(faq).toEqual(expect.arrayContaining(['faq.md', 'both.md']));
      expect(faq).not.toContain('policy.md');
      expect(faq).not.toContain('loose.md');
      expect(await search(['policies', 'faq'])).toEqual(expect.arrayContaining(['faq.md', 'policy.md', 'both.md']));
      expect(await search(['policies', 'faq'])).not.toContain('loose.md');
      expect(await search([])).toEqual([]);
      expect(await search()).toEqual(expect.arrayContaining(['faq.md', 'policy.md', 'both.md', 'loose.md']));
    });

    it('updates content: the new text is found, the old is gone', async () => {
      const [updated] = await kb.upsert('org-1', [
        { id: 'shipping.md', source: 'https://help.example.com/shipping', content: 'Parcels travel by carrier pigeon in 3 days.' },
      ]);
      expect(updated).toMatchObject({ id: 'shipping.md', outcome: 'updated', chunkCount: 1 });
      expect(ids(await kb.search('carrier pigeon', { access: org1, limit: 3 }))[0]).toBe('shipping.md');
      const old = await kb.search('standard business days', { access: org1, limit: 5 });
      expect(old.filter((h) => h.text.includes('business days'))).toEqual([]);
    });

    it('deletes: gone from search, get and list; a second delete reports false', async () => {
      expect(await kb.delete('org-1', 'shipping.md')).toBe(true);
      expect(ids(await kb.search('shipping business days', { access: org1, limit: 5 }))).not.toContain('shipping.md');
      expect(await kb.get('org-1', 'shipping.md')).toBeUndefined();
      expect((await kb.list('org-1')).map((d) => d.id)).toEqual(['returns.md']);
      expect(await kb.delete('org-1', 'shipping.md')).toBe(false);
    });

    it('skips re-ingesting an unchanged document and says so', async () => {
      const input = { id: 'faq.md', source: 'faq.md', title: 'FAQ', content: 'Walrus feeding times are at noon.', documentSets: ['faq'] };
      const [created] = await kb.upsert('org-1', [input]);
      expect(created?.outcome).toBe('created');
      const [again, renamed] = await kb.upsert('org-1', [{ ...input }, { ...input, title: 'Walrus FAQ' }]);
      expect(again).toEqual({ ...created, outcome: 'unchanged' });
      expect(renamed).toMatchObject({ id: 'faq.md', title: 'Walrus FAQ', outcome: 'updated', contentHash: created?.contentHash });
      const [twice] = await kb.upsert('org-1', [{ ...input, title: 'Walrus FAQ' }]);
      expect(twice?.outcome).toBe('unchanged');
      const hits = await kb.search('walrus feeding', { access: org1, limit: 3 });
      expect(hits[0]).toMatchObject({ documentId: 'faq.md', title: 'Walrus FAQ' });
    });

    it('finds singular, plural and other forms of a word alike (Snowball stems on every backend)', async () => {
      const pairs: Array<[stored: string, asked: string]> = [
        ['device', 'devices'],
        ['devices', 'device'],
        ['price', 'prices'],
        ['code', 'codes'],
        ['invoice', 'invoices'],
        ['package', 'packages'],
        ['issue', 'issues'],
        ['change', 'changed'],
      ];
      await kb.upsert(
        'org-1',
        pairs.map(([stored], i) => ({ id: `form-${i}`, source: `form-${i}.md`, content: `The ${stored} ledger for quokka number ${i}.` })),
      );
      for (const [i, [stored, asked]] of pairs.entries()) {
        const hits = await kb.search(`quokka ${asked}`, { access: org1, limit: 10 });
        expect(ids(hits), `"${asked}" should find a chunk saying "${stored}"`).toContain(`form-${i}`);
        expect(hits.find((h) => h.documentId === `form-${i}`)?.confidence, asked).toBe(1);
      }
    });

    it('keeps a heading and its body in one chunk and reports the heading path', async () => {
      const filler = Array.from({ length: 12 }, (_, i) => `Sentence ${i} about kettle descaling with vinegar and water.`).join(' ');
      const content = `# Kettle care\n\n${filler}\n\n## Refund timing\n\nRefunds reach your card within 9 business days of the return scan.`;
      await kb.upsert('org-1', [{ id: 'care.md', source: 'care.md', title: 'Kettle care', content }]);
      const [hit] = await kb.search('refund timing card', { access: org1, limit: 1 });
      expect(hit?.documentId).toBe('care.md');
      expect(hit?.text).toContain('## Refund timing\n\nRefunds reach your card within 9 business days');
      expect(hit?.headings).toEqual(['Kettle care', 'Refund timing']);
    });

    it('ranks by the title field as well as the body', async () => {
      await kb.upsert('org-1', [
        { id: 'pump.md', source: 'pump.md', title: 'Heat pump defrost cycle', content: 'Ice on the outdoor unit melts every hour or so; this is normal.' },
        { id: 'misc.md', source: 'misc.md', title: 'Miscellaneous', content: 'A longer note that mentions a defrost once among many other unrelated words about gardens and sheds.' },
      ]);
      const hits = await kb.search('defrost cycle', { access: org1, limit: 2 });
      expect(hits[0]?.documentId).toBe('pump.md');
    });

    it('keeps a caller’s scores independent of documents the caller cannot read', async () => {
      const access: AccessContext = { organizationId: 'org-1', userId: 'ann', groups: [] };
      await kb.upsert('org-1', [
        { id: 'otters.md', source: 'otters.md', content: 'Otters hold hands while they sleep so they do not drift apart.' },
        { id: 'rivers.md', source: 'rivers.md', content: 'Rivers carry otters and fish downstream to the sea.' },
      ]);
      const before = await kb.search('otters sleep', { access, limit: 5 });
      // Restricted documents full of the query's words, readable only by someone else.
      await kb.upsert(
        'org-1',
        Array.from({ length: 8 }, (_, i) => ({
          id: `vip-${i}`,
          source: `vip-${i}.md`,
          content: `Otters otters sleep sleep: private research notes number ${i} with a much longer body than the public documents have.`,
          acl: { public: false, users: ['bob'], groups: ['vip'] },
        })),
      );
      const after = await kb.search('otters sleep', { access, limit: 5 });
      expect(after.map((h) => [h.documentId, h.score, h.confidence])).toEqual(before.map((h) => [h.documentId, h.score, h.confidence]));
      const bob = await kb.search('otters sleep', { access: { organizationId: 'org-1', userId: 'bob', groups: [] }, limit: 10 });
      expect(ids(bob)).toContain('vip-0');
    });

    it('reports a confidence in [0, 1] and drops hits below minConfidence', async () => {
      const hits = await kb.search('return policy delivery refund', { access: org1, limit: 3 });
      expect(hits[0]?.documentId).toBe('returns.md');
      for (const h of hits) expect(h.confidence).toBeGreaterThanOrEqual(0), expect(h.confidence).toBeLessThanOrEqual(1);
      const partial = await kb.search('returns zeppelin', { access: org1, limit: 3 });
      expect(partial[0]?.confidence).toBeLessThan(0.6);
      expect(await kb.search('returns zeppelin', { access: org1, limit: 3, minConfidence: 0.9 })).toEqual([]);
      expect(ids(await kb.search('returns delivery', { access: org1, limit: 3, minConfidence: 0.9 }))).toEqual(['returns.md']);
    });

    it.skipIf(!hooks.reopenWith)('refuses to serve vectors built by a different embedder', async () => {
      const other: Embedder = {
        id: 'contract-other-v1',
        dimensions: 8,
        embed: async (texts) => texts.map(() => Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0))),
      };
      const attempt = async (): Promise<unknown> => {
        const reopened = await hooks.reopenWith!(kb, other);
        return reopened.search('returns', { access: org1, limit: 3 });
      };
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EmbedderMismatchError);
      expect(String((error as Error).message)).toMatch(
        /^knowledge store was built with \S+ \(\d+ dims\); configured embedder is contract-other-v1 \(8 dims\): re-index or switch back$/,
      );
    });
  });
}
