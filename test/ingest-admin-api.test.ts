import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

// What the ingest CLI relies on from POST /admin/knowledge/documents: document sets and ACLs per document.

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function post(documents: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${harness!.server.httpUrl}/admin/knowledge/documents`, {
    method: 'POST',
    headers: { authorization: 'Bearer dev', 'content-type': 'application/json' },
    body: JSON.stringify({ documents }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /admin/knowledge/documents: documentSets and acl', () => {
  it('stores them, reports them, and lists them', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    const created = await post([
      { id: 'a', source: 'a.md', content: 'Alpha.', documentSets: ['docs', 'faq'], acl: { public: false, users: ['u-1'], groups: ['staff'] } },
      { id: 'b', source: 'b.md', content: 'Beta.', acl: { public: true } },
      { id: 'c', source: 'c.md', content: 'Gamma.' },
    ]);
    expect(created.status).toBe(201);
    expect(created.body.documents).toEqual([
      expect.objectContaining({ id: 'a', documentSets: ['docs', 'faq'], acl: { public: false, users: ['u-1'], groups: ['staff'] } }),
      expect.objectContaining({ id: 'b', documentSets: [], acl: { public: true, users: [], groups: [] } }),
      expect.objectContaining({ id: 'c', documentSets: [] }),
    ]);
    expect((created.body.documents as Array<Record<string, unknown>>)[2]).not.toHaveProperty('acl');

    const one = await fetch(`${harness.server.httpUrl}/admin/knowledge/documents/a`, { headers: { authorization: 'Bearer dev' } });
    expect(await one.json()).toMatchObject({ document: { id: 'a', documentSets: ['docs', 'faq'], acl: { users: ['u-1'] } } });
  });

  it.each([
    [{ documentSets: 'docs' }, 'documents.0.documentSets'],
    [{ documentSets: [''] }, 'documents.0.documentSets.0'],
    [{ acl: { users: [], groups: [] } }, 'documents.0.acl.public'],
    [{ acl: { public: 'yes' } }, 'documents.0.acl.public'],
    [{ acl: { public: false, groups: [42] } }, 'documents.0.acl.groups.0'],
  ])('rejects %j with 400 VALIDATION_ERROR naming %s', async (extra, field) => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    const { status, body } = await post([{ source: 's', content: 'c', ...extra }]);
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    expect((body.error as { message: string }).message.startsWith(`${field}: `)).toBe(true);
  });
});
