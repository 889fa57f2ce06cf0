import { describe, expect, it } from 'vitest';
import { canRead, inDocumentSets } from './access.js';
import { DocumentFilter } from './document-filter.js';
import type { AccessContext, DocumentAcl } from './types.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

describe('DocumentFilter', () => {
  it('admits exactly what canRead and inDocumentSets admit, across random ACLs, callers and updates', () => {
    const random = lcg(3);
    const pick = <T>(xs: readonly T[]): T[] => xs.filter(() => random() < 0.3);
    const users = ['ann', 'ben', 'cy', ''];
    const groups = ['eng', 'ops', 'sales'];
    const sets = ['faq', 'policies', 'internal'];
    const docs = Array.from({ length: 200 }, () => ({
      acl: random() < 0.25 ? undefined : ({ public: random() < 0.2, users: pick(users), groups: pick(groups) } satisfies DocumentAcl),
      documentSets: pick(sets),
    }));
    const filter = new DocumentFilter();
    docs.forEach((d, o) => filter.set(o, d.acl, d.documentSets));
    // Re-label some and delete others, as upserts and deletes do.
    for (let o = 0; o < docs.length; o += 7) {
      docs[o] = { acl: { public: false, users: ['ben'], groups: [] }, documentSets: ['faq'] };
      filter.set(o, docs[o]!.acl, docs[o]!.documentSets);
    }
    const deleted = new Set([3, 50, 51, 199]);
    for (const o of deleted) filter.clear(o);

    const disagreements: string[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const userId = random() < 0.3 ? undefined : users[Math.floor(random() * users.length)];
      const access: AccessContext = { organizationId: 'org', groups: pick(groups), ...(userId !== undefined ? { userId } : {}) };
      const setFilter = random() < 0.5 ? undefined : pick(sets);
      const allowed = filter.admissible(access, setFilter, docs.length);
      docs.forEach((d, o) => {
        const expected = !deleted.has(o) && canRead(d.acl, access) && inDocumentSets(d.documentSets, setFilter);
        if ((allowed[o] === 1) !== expected) disagreements.push(`doc ${o} for ${JSON.stringify(access)} sets ${JSON.stringify(setFilter)}`);
      });
    }
    expect(disagreements).toEqual([]);
  });
});

describe('canRead', () => {
  const acl = (a: Partial<DocumentAcl>): DocumentAcl => ({ public: false, users: [], groups: [], ...a });
  it('follows the reference rule, with anonymous callers limited to public and unrestricted documents', () => {
    const anonymous: AccessContext = { organizationId: 'o', groups: ['eng'] };
    const ann: AccessContext = { organizationId: 'o', userId: 'ann', groups: ['eng'] };
    expect(canRead(undefined, anonymous)).toBe(true);
    expect(canRead(acl({ public: true }), anonymous)).toBe(true);
    expect(canRead(acl({ groups: ['eng'] }), anonymous)).toBe(false);
    expect(canRead(acl({ groups: ['eng'] }), ann)).toBe(true);
    expect(canRead(acl({ users: ['ann'] }), ann)).toBe(true);
    expect(canRead(acl({ users: ['bob'], groups: ['ops'] }), ann)).toBe(false);
    expect(canRead(acl({ users: [''] }), { organizationId: 'o', userId: '', groups: [] })).toBe(false);
  });
});
