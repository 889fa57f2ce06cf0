import { cpSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../src/testing/index.js';
import { startFakeGithub, type FakeGithub } from './support/fake-github.js';
import { startHarness, type Harness } from './support/harness.js';
import { startToolServer } from './support/tool-server.js';
import { at, TestClient } from './support/ws-client.js';
import { adminCall } from './support/admin-http.js';

const FIXTURES = resolve('test/fixtures/ingest');
const FIXTURE_FILES = 6; // handbook.md, nested/faq.mdx, onboarding.docx, pricing.html, refunds.txt, warranty.pdf

const secret = 'connectors-secret-connectors-secret';
const sign = (sub: string, org: string, role: string) =>
  new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

let harness: Harness | undefined;
let github: FakeGithub;
const secrets = new Map<string, string>();
const cleanups: Array<() => Promise<void>> = [];
const sockets: TestClient[] = [];

beforeEach(async () => {
  github = await startFakeGithub();
  secrets.clear();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.close();
  harness = undefined;
  await github.close();
  for (const c of cleanups.splice(0)) await c();
});

/** Every call a millisecond later, so updatedAt and startedAt order reliably. */
function tickingClock(): () => Date {
  let t = Date.now();
  return () => new Date(++t);
}

async function boot(script: ScriptStep[] = []): Promise<Harness> {
  harness = await startHarness(script, {
    // The sites here are loopback test servers and the folders temporary ones: allowed explicitly.
    config: {
      authMode: 'jwt',
      jwt: { hs256Secret: secret, clockToleranceSec: 5 },
      githubApiUrl: github.url,
      fileConnectorRoots: [FIXTURES, tmpdir()],
      connectorsAllowPrivate: true,
    },
    secrets: (name) => secrets.get(name),
    now: tickingClock(),
  });
  return harness;
}

/** Parsed JSON bodies are probed field by field with toMatchObject; typing each shape would add nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Reply {
  status: number;
  body: Json;
}

async function api(method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  return adminCall<Json>(harness!.server.httpUrl, method, path, token, body);
}

async function tokens() {
  return {
    admin: await sign('ann', 'org-1', 'admin'),
    curator: await sign('carol', 'org-1', 'curator'),
    basic: await sign('bob', 'org-1', 'basic'),
    otherAdmin: await sign('olga', 'org-2', 'admin'),
    otherCurator: await sign('oscar', 'org-2', 'curator'),
  };
}

async function createConnector(token: string, body: unknown): Promise<string> {
  const created = await api('POST', '/admin/connectors', token, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body!.connector.id as string;
}

const index = (id: string, token: string) => api('POST', `/admin/connectors/${id}/index`, token);
const docIds = async (token: string) => ((await api('GET', '/admin/knowledge/documents', token)).body!.documents as Array<{ id: string }>).map((d) => d.id);

describe('file connector', () => {
  it('indexes the fixture folder, then skips every unchanged file on the next run', async () => {
    await boot();
    const t = await tokens();
    const id = await createConnector(t.admin, { name: 'handbook', kind: 'File', config: { path: FIXTURES, documentSets: ['handbook'] } });

    const first = await index(id, t.curator);
    expect(first.status).toBe(200);
    expect(first.body!.run).toMatchObject({
      connectorId: id,
      connectorName: 'handbook',
      status: 'succeeded',
      documentsSeen: FIXTURE_FILES,
      documentsSkipped: 0,
      error: null,
    });
    expect(first.body!.run.chunksIndexed).toBeGreaterThanOrEqual(FIXTURE_FILES);
    expect(Date.parse(first.body!.run.cursor)).not.toBeNaN();
    expect(first.body!.run.finishedAt).toEqual(expect.any(String));
    expect(await docIds(t.curator)).toEqual(
      expect.arrayContaining(['handbook/refunds.txt', 'handbook/nested/faq.mdx', 'handbook/warranty.pdf', 'handbook/onboarding.docx', 'handbook/pricing.html']),
    );
    const refunds = await api('GET', `/admin/knowledge/documents/${encodeURIComponent('handbook/refunds.txt')}`, t.curator);
    expect(refunds.body!.document).toMatchObject({ documentSets: ['handbook'], content: expect.stringContaining('within 9 days') });

    const second = await index(id, t.curator);
    expect(second.body!.run).toMatchObject({ status: 'succeeded', documentsSeen: FIXTURE_FILES, documentsSkipped: FIXTURE_FILES, chunksIndexed: 0 });

    const runs = (await api('GET', '/admin/indexing/runs', t.curator)).body!.runs as Array<{ id: string }>;
    expect(runs.map((r) => r.id)).toEqual([second.body!.run.id, first.body!.run.id]);
    expect(await api('GET', '/admin/document-sets', t.curator)).toMatchObject({ body: { documentSets: [{ name: 'handbook', documentCount: FIXTURE_FILES }] } });
  });

  it('re-reads only what changed since its cursor, and fails the run for a missing path', async () => {
    await boot();
    const t = await tokens();
    const dir = mkdtempSync(join(tmpdir(), 'so-file-connector-'));
    cpSync(FIXTURES, dir, { recursive: true });
    const id = await createConnector(t.admin, { name: 'kb', kind: 'file', config: { path: dir } });
    expect((await index(id, t.curator)).body!.run).toMatchObject({ documentsSeen: FIXTURE_FILES, documentsSkipped: 0 });

    writeFileSync(join(dir, 'refunds.txt'), 'Refund policy\n\nRefunds for the Copper plan now arrive within 4 days.');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'refunds.txt'), later, later);
    const second = await index(id, t.curator);
    expect(second.body!.run).toMatchObject({ status: 'succeeded', documentsSeen: FIXTURE_FILES, documentsSkipped: FIXTURE_FILES - 1 });
    expect(second.body!.run.chunksIndexed).toBeGreaterThan(0);
    const hits = await api('POST', '/admin/knowledge/search', t.curator, { query: 'Copper plan refunds', limit: 1 });
    expect(hits.body!.results[0]).toMatchObject({ documentId: 'kb/refunds.txt', text: expect.stringContaining('within 4 days') });

    const missing = await createConnector(t.admin, { name: 'missing', kind: 'file', config: { path: join(dir, 'no-such-folder') } });
    const failed = await index(missing, t.curator);
    expect(failed).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL_ERROR', message: expect.stringMatching(/^indexing failed: .*ENOENT/) } } });
    const runs = (await api('GET', `/admin/indexing/runs?connectorId=${missing}`, t.curator)).body!.runs;
    expect(runs).toEqual([expect.objectContaining({ connectorName: 'missing', status: 'failed', cursor: null, error: expect.stringContaining('ENOENT') })]);
  });
});

describe('web connector', () => {
  it('crawls a loopback site, counts unchanged pages as skipped, and records a dead site as a failed run', async () => {
    const pages: Record<string, string> = {
      '/': '<html><head><title>Help home</title></head><body><main><h1>Help</h1><p>Welcome to the Nimbus help center.</p><a href="/billing">Billing</a> <a href="/shipping">Shipping</a></main></body></html>',
      '/billing': '<html><body><main><h1>Billing</h1><p>Invoices are emailed on the first business day of each month.</p><a href="/billing/refunds">Refunds</a></main></body></html>',
      '/shipping': '<html><body><main><h1>Shipping</h1><p>Parcels to Iceland take 11 days.</p><a href="/gone">Old page</a></main></body></html>',
      '/billing/refunds': '<html><body><main><h1>Refunds</h1><p>Nimbus refunds land within 6 days.</p></main></body></html>',
    };
    const site = await startToolServer((path, _body, res) => {
      const page = pages[path];
      if (page === undefined) res.writeHead(404).end('not found');
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    cleanups.push(site.close);
    await boot();
    const t = await tokens();
    const id = await createConnector(t.admin, { name: 'help-site', kind: 'WEB', config: { url: `${site.url}/`, depth: 2, documentSets: ['help'] } });

    const first = (await index(id, t.curator)).body!.run;
    // Four pages, plus the dead link, seen and skipped.
    expect(first).toMatchObject({ status: 'succeeded', documentsSeen: 5, documentsSkipped: 1 });
    expect(Date.parse(first.cursor)).not.toBeNaN();
    expect(await docIds(t.curator)).toEqual(expect.arrayContaining([`${site.url}/`, `${site.url}/billing`, `${site.url}/shipping`, `${site.url}/billing/refunds`]));

    pages['/shipping'] = pages['/shipping']!.replace('11 days', '8 days');
    const second = (await index(id, t.curator)).body!.run;
    expect(second).toMatchObject({ status: 'succeeded', documentsSeen: 5, documentsSkipped: 4 });
    expect(second.chunksIndexed).toBeGreaterThan(0);
    const hits = await api('POST', '/admin/knowledge/search', t.curator, { query: 'parcels Iceland', limit: 1, documentSets: ['help'] });
    expect(hits.body!.results[0]).toMatchObject({ url: `${site.url}/shipping`, text: expect.stringContaining('8 days') });

    await site.close();
    const down = await index(id, t.curator);
    expect(down).toMatchObject({ status: 500, body: { error: { message: expect.stringMatching(/^indexing failed: /) } } });
    const runs = (await api('GET', '/admin/indexing/runs', t.curator)).body!.runs as Array<{ status: string; error: string | null }>;
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    expect(runs[0]!.error).toEqual(expect.any(String));
  });
});

describe('indexing runs', () => {
  it('refuses a second run of the same connector while one is in progress', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const site = await startToolServer((_path, _body, res) => {
      void released.then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('Slow page about Nimbus gift cards.'));
    });
    cleanups.push(site.close);
    await boot();
    const t = await tokens();
    const id = await createConnector(t.admin, { name: 'slow', kind: 'web', config: { url: `${site.url}/slow.txt`, depth: 0 } });
    const first = index(id, t.curator);
    await expect.poll(async () => (await api('GET', '/admin/indexing/runs', t.curator)).body!.runs[0]?.status).toBe('running');
    expect(await index(id, t.curator)).toMatchObject({ status: 409, body: { error: { message: "connector 'slow' is already indexing" } } });
    release();
    expect((await first).body!.run).toMatchObject({ status: 'succeeded', documentsSeen: 1 });
  });
});

describe('github connector', () => {
  const repoUrl = 'https://github.example/acme/handbook';

  function seedPublicRepo(): void {
    github.addRepo('acme/handbook', {
      files: {
        'README.md': '# Acme handbook\n\nEverything the Acme support team needs.',
        'docs/returns.md': '# Returns\n\nAcme accepts returns within 45 days of delivery.',
        'src/app.ts': 'export const greeting = "hello from the acme app";\n',
        'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
        'notes.txt': Buffer.from('binary\0inside'),
        'data/huge.txt': 'x'.repeat(600 * 1024),
      },
      issues: [
        { number: 1, title: 'Checkout button unresponsive', body: 'Clicking pay does nothing on Safari.', state: 'open', updated_at: '2026-01-01T00:00:00Z' },
        { number: 2, title: 'Fix checkout', body: 'PR', state: 'open', updated_at: '2026-01-02T00:00:00Z', pull_request: { url: 'x' } },
        { number: 3, title: 'Dark mode request', body: null, state: 'closed', updated_at: '2026-01-02T12:00:00Z' },
        { number: 4, title: 'Typo on pricing page', body: 'Says "anually".', state: 'open', updated_at: '2026-01-03T00:00:00Z' },
      ],
    });
  }

  it('indexes a public repository’s text files and issues, then only what changed', async () => {
    seedPublicRepo();
    await boot();
    const t = await tokens();
    const id = await createConnector(t.admin, { name: 'handbook-repo', kind: 'github', config: { owner: 'acme', repo: 'handbook', documentSets: ['eng'] } });

    const first = (await index(id, t.curator)).body!.run;
    // README, returns, app.ts and issues 1, 3, 4 indexed; the binary and the >512 KiB file seen and skipped; the PNG and the PR never considered.
    expect(first).toMatchObject({ status: 'succeeded', documentsSeen: 8, documentsSkipped: 2 });
    const ids = await docIds(t.curator);
    expect(ids.sort()).toEqual(
      [`${repoUrl}/blob/main/README.md`, `${repoUrl}/blob/main/docs/returns.md`, `${repoUrl}/blob/main/src/app.ts`, `${repoUrl}/issues/1`, `${repoUrl}/issues/3`, `${repoUrl}/issues/4`].sort(),
    );
    const returns = (await api('GET', `/admin/knowledge/documents/${encodeURIComponent(`${repoUrl}/blob/main/docs/returns.md`)}`, t.curator)).body!.document;
    expect(returns).toMatchObject({ source: `${repoUrl}/blob/main/docs/returns.md`, url: `${repoUrl}/blob/main/docs/returns.md`, title: 'Returns', documentSets: ['eng'] });
    expect(returns.acl).toBeUndefined();
    expect(github.calls.every((c) => c.authorization === undefined)).toBe(true);
    const cursor = JSON.parse(first.cursor as string) as { commit: string; issuesSince: string; private: boolean };
    expect(cursor).toMatchObject({ issuesSince: '2026-01-03T00:00:00Z', private: false });

    const head = github.push('acme/handbook', {
      'docs/returns.md': '# Returns\n\nAcme accepts returns within 60 days of delivery.',
      'docs/warranty.md': '# Warranty\n\nEvery Acme kettle carries a 3 year warranty.',
      'src/app.ts': null,
    });
    github.issues('acme/handbook')[0]!.updated_at = '2026-01-05T00:00:00Z';
    github.issues('acme/handbook')[0]!.state = 'closed';
    github.calls.length = 0;

    const second = (await index(id, t.curator)).body!.run;
    // Two changed files, issue 1 (updated) and issue 4 (GitHub's `since` is inclusive; unchanged).
    expect(second).toMatchObject({ status: 'succeeded', documentsSeen: 4, documentsSkipped: 1 });
    expect(JSON.parse(second.cursor as string)).toMatchObject({ commit: head, issuesSince: '2026-01-05T00:00:00Z' });
    expect(github.calls.some((c) => c.path.includes(`/compare/${cursor.commit}...${head}`))).toBe(true);
    expect(github.calls.some((c) => c.path.includes('/git/trees/'))).toBe(false);
    expect(github.calls.filter((c) => c.path.includes('/git/blobs/'))).toHaveLength(2);
    const after = await docIds(t.curator);
    expect(after).toContain(`${repoUrl}/blob/main/docs/warranty.md`);
    expect(after).not.toContain(`${repoUrl}/blob/main/src/app.ts`);
    const search = await api('POST', '/admin/knowledge/search', t.curator, { query: 'how many days to return', limit: 1 });
    expect(search.body!.results[0]).toMatchObject({ documentId: `${repoUrl}/blob/main/docs/returns.md`, text: expect.stringContaining('60 days') });

    github.calls.length = 0;
    const third = (await index(id, t.curator)).body!.run;
    expect(third).toMatchObject({ status: 'succeeded', documentsSeen: 1, documentsSkipped: 1, chunksIndexed: 0 });
    expect(github.calls.some((c) => c.path.includes('/compare/') || c.path.includes('/git/'))).toBe(false);

    // Editing the connector starts it over: the old cursor may describe another repository or branch.
    const current = (await api('GET', `/admin/connectors/${id}`, t.curator)).body!.connector;
    expect((await api('PUT', `/admin/connectors/${id}`, t.admin, { name: current.name, kind: current.kind, config: current.config })).status).toBe(200);
    github.calls.length = 0;
    const fourth = (await index(id, t.curator)).body!.run;
    expect(fourth).toMatchObject({ status: 'succeeded', chunksIndexed: 0 });
    expect(github.calls.some((c) => c.path.includes('/git/trees/'))).toBe(true);
    expect(github.calls.some((c) => c.path.includes('/issues') && !c.path.includes('since='))).toBe(true);
  });

  it('reads a private repository with the token named by auth_ref, restricting its documents to the repo group', async () => {
    github.addRepo('acme/secret', {
      private: true,
      token: 'gh-test-token',
      files: { 'runbook.md': '# Incident runbook\n\nPage the on-call engineer, Zephyr, for any Nimbus outage.' },
      issues: [{ number: 7, title: 'Zephyr rotation', body: 'Zephyr covers nights this quarter.', state: 'open', updated_at: '2026-02-01T00:00:00Z' }],
    });
    await boot();
    const t = await tokens();
    const noRef = await api('POST', '/admin/connectors', t.admin, { name: 'secret', kind: 'github', config: { owner: 'acme', repo: 'secret', visibility: 'private' } });
    expect(noRef).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('auth_ref') } } });
    const id = await createConnector(t.admin, { name: 'secret', kind: 'github', config: { owner: 'acme', repo: 'secret', visibility: 'private', auth_ref: 'TEST_GH_TOKEN' } });

    const unresolved = await index(id, t.curator);
    expect(unresolved).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining("auth_ref 'TEST_GH_TOKEN'") } } });
    expect((await api('GET', '/admin/indexing/runs', t.curator)).body!.runs).toEqual([]);
    expect(github.calls).toEqual([]);

    secrets.set('TEST_GH_TOKEN', 'gh-test-token');
    const run = (await index(id, t.curator)).body!.run;
    expect(run).toMatchObject({ status: 'succeeded', documentsSeen: 2, documentsSkipped: 0 });
    expect(github.calls.length).toBeGreaterThan(0);
    expect(github.calls.every((c) => c.authorization === 'Bearer gh-test-token')).toBe(true);
    const runbookId = 'https://github.example/acme/secret/blob/main/runbook.md';
    const runbook = (await api('GET', `/admin/knowledge/documents/${encodeURIComponent(runbookId)}`, t.curator)).body!.document;
    expect(runbook.acl).toEqual({ public: false, users: [], groups: ['github:acme/secret'] });
    const issue = (await api('GET', `/admin/knowledge/documents/${encodeURIComponent('https://github.example/acme/secret/issues/7')}`, t.curator)).body!.document;
    expect(issue.acl).toEqual({ public: false, users: [], groups: ['github:acme/secret'] });

    const query = { query: 'who is the on-call engineer for outages', limit: 5 };
    expect((await api('POST', '/admin/knowledge/search', t.curator, query)).body).toMatchObject({ as: null, results: [] });
    const member = await api('POST', '/admin/knowledge/search', t.curator, { ...query, as: { userId: 'dev-1', groups: ['github:acme/secret'] } });
    expect(member.body!.results[0]).toMatchObject({ rank: 1, documentId: runbookId, score: expect.any(Number) });
    const outsider = await api('POST', '/admin/knowledge/search', t.curator, { ...query, as: { userId: 'dev-2', groups: ['github:acme/other'] } });
    expect(outsider.body!.results).toEqual([]);

    // The same private repository named as public, without a token: GitHub answers 404 and the run fails.
    const wrong = await createConnector(t.admin, { name: 'secret-as-public', kind: 'github', config: { owner: 'acme', repo: 'secret' } });
    const failed = await index(wrong, t.curator);
    expect(failed).toMatchObject({ status: 500, body: { error: { message: expect.stringMatching(/^indexing failed: GitHub API 404 .*auth_ref/) } } });
    expect((await api('GET', `/admin/indexing/runs?connectorId=${wrong}`, t.curator)).body!.runs[0]).toMatchObject({ status: 'failed' });
  });
});

describe('connector admin API', () => {
  it('checks roles, validates bodies, keeps organizations apart, and supports PUT and DELETE', async () => {
    await boot();
    const t = await tokens();
    const web = { name: 'site', kind: 'web', config: { url: 'https://help.example.com/' } };
    expect((await api('GET', '/admin/connectors', t.basic)).status).toBe(403);
    expect(await api('GET', '/admin/connectors', t.curator)).toMatchObject({ status: 200, body: { connectors: [] } });
    expect(await api('POST', '/admin/connectors', t.curator, web)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await api('POST', '/admin/connectors', t.admin, { ...web, kind: 'Dropbox' })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: "kind: unknown connector kind 'Dropbox'" } },
    });
    expect(await api('POST', '/admin/connectors', t.admin, { name: 'site', kind: 'web', config: {} })).toMatchObject({
      status: 400,
      body: { error: { message: "config.url: web connector config requires a 'url' field" } },
    });
    expect(await api('POST', '/admin/connectors', t.admin, { name: 'gh', kind: 'github', config: { owner: 'acme' } })).toMatchObject({
      status: 400,
      body: { error: { message: "config.repo: github connector config requires a 'repo' field" } },
    });

    const created = await api('POST', '/admin/connectors', t.admin, web);
    expect(created).toMatchObject({ status: 201, body: { connector: { name: 'site', kind: 'web', config: { url: 'https://help.example.com/' }, enabled: true } } });
    const connector = created.body!.connector as { id: string; createdAt: string; updatedAt: string };
    expect(connector.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await api('POST', '/admin/connectors', t.admin, web)).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining("'site' already exists") } } });
    // Another organization may use the same name, and sees none of org-1's connectors.
    expect((await api('POST', '/admin/connectors', t.otherAdmin, web)).status).toBe(201);
    expect((await api('GET', '/admin/connectors', t.otherAdmin)).body!.connectors).toHaveLength(1);

    const path = `/admin/connectors/${connector.id}`;
    for (const [method, token, body] of [
      ['GET', t.otherCurator, undefined],
      ['PUT', t.otherAdmin, web],
      ['DELETE', t.otherAdmin, undefined],
    ] as const) {
      expect(await api(method, path, token, body), `${method} across orgs`).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
    expect((await api('POST', `${path}/index`, t.otherCurator)).status).toBe(404);

    expect((await api('PUT', path, t.curator, web)).status).toBe(403);
    const put = await api('PUT', path, t.admin, { name: 'help-site', kind: 'web', config: { url: 'https://help.example.com/', depth: 1 }, enabled: false });
    expect(put.status).toBe(200);
    expect(put.body!.connector).toMatchObject({ id: connector.id, name: 'help-site', createdAt: connector.createdAt, enabled: false, config: { depth: 1 } });
    expect(put.body!.connector.updatedAt > connector.updatedAt).toBe(true);
    expect(await api('GET', path, t.curator)).toMatchObject({ status: 200, body: { connector: { name: 'help-site' } } });
    expect(await api('POST', `${path}/index`, t.curator)).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('disabled') } } });

    expect((await api('GET', '/admin/indexing/runs?limit=abc', t.curator)).status).toBe(400);
    expect((await api('GET', '/admin/indexing/runs', t.basic)).status).toBe(403);
    expect((await api('DELETE', path, t.curator)).status).toBe(403);
    expect((await api('DELETE', path, t.admin)).status).toBe(204);
    expect((await api('GET', path, t.curator)).status).toBe(404);
    expect((await api('DELETE', path, t.admin)).status).toBe(404);
    expect((await api('POST', `${path}/index`, t.curator)).status).toBe(404);
  });

  it('search debugger honours ACLs through `as`, and document sets are counted per organization', async () => {
    await boot();
    const t = await tokens();
    const documents = [
      { id: 'pub', source: 'loyalty/overview.md', content: 'The Nimbus loyalty program awards 3 points per dollar.', documentSets: ['loyalty', 'faq'] },
      { id: 'staff', source: 'loyalty/staff.md', content: 'Staff codes for the Nimbus loyalty program rotate weekly.', documentSets: ['loyalty'], acl: { public: false, users: [], groups: ['staff'] } },
      { id: 'vip', source: 'loyalty/vip.md', content: 'Vera’s Nimbus loyalty program tier is platinum.', acl: { public: false, users: ['vera'], groups: [] } },
    ];
    expect((await api('POST', '/admin/knowledge/documents', t.curator, { documents })).status).toBe(201);
    await api('POST', '/admin/knowledge/documents', t.otherAdmin, { documents: [{ id: 'x', source: 'x', content: 'Nimbus loyalty program elsewhere.', documentSets: ['zzz'] }] });

    const search = async (body: Record<string, unknown>) =>
      ((await api('POST', '/admin/knowledge/search', t.curator, { query: 'Nimbus loyalty program', ...body })).body!.results as Array<{ documentId: string; chunkId: string; score: number; rank: number }>);
    const org = await search({});
    expect(org.map((r) => r.documentId)).toEqual(['pub']);
    expect(org[0]).toMatchObject({ chunkId: 'pub#0', rank: 1 });
    expect(org[0]!.score).toBeGreaterThan(0);
    expect((await search({ as: { userId: 'sam', groups: ['staff'] } })).map((r) => r.documentId).sort()).toEqual(['pub', 'staff']);
    expect((await search({ as: { userId: 'vera' } })).map((r) => r.documentId).sort()).toEqual(['pub', 'vip']);
    expect((await search({ as: { userId: 'sam', groups: ['staff'] }, documentSets: ['faq'] })).map((r) => r.documentId)).toEqual(['pub']);
    expect((await api('POST', '/admin/knowledge/search', t.curator, { query: 'x', limit: 0 })).status).toBe(400);
    expect(await api('POST', '/admin/knowledge/search', t.curator, { query: '' })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^query: /) } } });
    expect((await api('POST', '/admin/knowledge/search', t.basic, { query: 'x' })).status).toBe(403);

    expect(await api('GET', '/admin/document-sets', t.curator)).toMatchObject({
      status: 200,
      body: { documentSets: [{ name: 'faq', documentCount: 1 }, { name: 'loyalty', documentCount: 2 }] },
    });
    expect((await api('GET', '/admin/document-sets', t.otherAdmin)).body).toEqual({ documentSets: [{ name: 'zzz', documentCount: 1 }] });
    expect((await api('GET', '/admin/document-sets', t.basic)).status).toBe(403);
  });
});

describe('connector documents in a turn', () => {
  it('are retrieved and cited, with links for GitHub files', async () => {
    github.addRepo('acme/handbook', { files: { 'docs/returns.md': '# Returns\n\nAcme accepts kettle returns within 45 days of delivery.' } });
    await boot([
      { kind: 'text', text: 'Copper plan refunds arrive within 9 days.' },
      { kind: 'text', text: 'Kettles can be returned within 45 days.' },
    ]);
    const t = await tokens();
    const files = await createConnector(t.admin, { name: 'handbook', kind: 'file', config: { path: FIXTURES } });
    const repo = await createConnector(t.admin, { name: 'repo', kind: 'github', config: { owner: 'acme', repo: 'handbook', issues: false } });
    expect((await index(files, t.curator)).body!.run.status).toBe('succeeded');
    expect((await index(repo, t.curator)).body!.run.status).toBe('succeeded');

    const client = await TestClient.connect(`${harness!.server.wsUrl}?token=${t.basic}`);
    sockets.push(client);
    const created = await client.request({ action: 'create_conversation_session', requestId: 'c' });
    const sessionId = (created.data as { sessionId: string }).sessionId;

    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'How fast are Copper plan refunds issued?' });
    const first = await client.untilTerminal();
    const context = harness!.gateway.requests[0]!.body.messages.find((m) => m.role === 'system' && String(m.content).startsWith('[Relevant knowledge]'));
    expect(String(context?.content)).toContain('source=handbook/refunds.txt');
    const cited = at(first.at(-1), 'data.data.citations') as Array<{ id: string; url?: string }>;
    expect(cited[0]).toMatchObject({ id: 'handbook/refunds.txt' });

    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'How long do I have to return a kettle?' });
    const second = await client.untilTerminal();
    const returnsUrl = 'https://github.example/acme/handbook/blob/main/docs/returns.md';
    const citedAgain = at(second.at(-1), 'data.data.citations') as Array<{ id: string; url?: string }>;
    expect(citedAgain[0]).toMatchObject({ id: returnsUrl, url: returnsUrl });
    expect(client.schemaViolations).toEqual([]);
  });
});
