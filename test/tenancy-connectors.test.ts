import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/index.js';
import { addressRefusal } from '../src/connectors/web/address-policy.js';
import { startHarness, type Harness } from './support/harness.js';

/**
 * Finding 5 of issue 9: connectors must not read the host's files or the host's network on behalf of
 * an organization's admin. Every refusal is a failed run with a clear error, never a crash, and never
 * a connection to the refused address (the private ranges below are asserted refused, not contacted).
 */
const secret = 'tenancy-connectors-secret-tenancy-connectors';
const sign = (sub: string, role: string) =>
  new SignJWT({ org: 'org-1', role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

let harness: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

interface Site {
  url: string;
  hits: string[];
}

/** A loopback site that counts every request, so a refusal can be shown to have sent nothing. */
async function site(host: '127.0.0.1' | '::1', handle: (path: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<Site> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    const answer = handle(req.url ?? '/');
    res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers }).end(answer.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host === '::1' ? '[::1]' : host}:${port}`, hits };
}

const page = (text: string) => () => ({ status: 200, body: text });

async function boot(config: Partial<Config>): Promise<{ admin: string }> {
  harness = await startHarness([], { config: { authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 }, ...config } });
  return { admin: await sign('ann', 'admin') };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${harness!.server.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

let counter = 0;
/** Creates and runs a connector; returns the HTTP answer and the run as recorded. */
async function runConnector(token: string, kind: 'file' | 'web', config: Record<string, unknown>) {
  const created = await api('POST', '/admin/connectors', token, { name: `c${++counter}`, kind, config });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.connector.id as string;
  const answer = await api('POST', `/admin/connectors/${id}/index`, token);
  const runs = (await api('GET', `/admin/indexing/runs?connectorId=${id}`, token)).body.runs as Array<{ status: string; error: string | null }>;
  return { answer, run: runs[0]! };
}

async function documentText(token: string): Promise<string> {
  const list = (await api('GET', '/admin/knowledge/documents', token)).body.documents as Array<{ id: string }>;
  const bodies = await Promise.all(list.map(async (d) => JSON.stringify((await api('GET', `/admin/knowledge/documents/${encodeURIComponent(d.id)}`, token)).body)));
  return bodies.join('\n');
}

function expectRefusedRun(result: Awaited<ReturnType<typeof runConnector>>, reason: RegExp): void {
  expect(result.answer).toMatchObject({ status: 500, body: { error: { message: expect.stringMatching(/^indexing failed: /) } } });
  expect(result.run.status).toBe('failed');
  expect(result.run.error).toMatch(reason);
}

/** A root with one file, a directory beside it (outside), and links from the root into it. */
function tree() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'so-tenancy-files-')));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(root, 'inside.md'), '# Inside\n\nThe Quokka warranty lasts 3 years.');
  writeFileSync(join(outside, 'secret.md'), '# Secret\n\nThe Wombat password is hunter2.');
  symlinkSync(outside, join(root, 'link-out'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'guide.md'), '# Guide\n\nQuokka guide.');
  symlinkSync(join(outside, 'secret.md'), join(root, 'docs', 'secret-link.md'));
  return { base, root, outside };
}

describe('file connector confinement', () => {
  it('refuses /etc, a symlink out of the root and "..", skips a symlinked file that leaves the root; each a clear run error', async () => {
    const { root, outside } = tree();
    const { admin } = await boot({ fileConnectorRoots: [root] });
    expectRefusedRun(await runConnector(admin, 'file', { path: '/etc', include: ['X11/rgb.txt'] }), /outside the directories file connectors may read/);
    expectRefusedRun(await runConnector(admin, 'file', { path: join(root, 'link-out') }), /outside the directories file connectors may read/);
    expectRefusedRun(await runConnector(admin, 'file', { path: `${root}/../outside` }), /contains "\.\."/);
    expectRefusedRun(await runConnector(admin, 'file', { path: outside }), /outside the directories/);

    const docs = await runConnector(admin, 'file', { path: join(root, 'docs') });
    expect(docs.run).toMatchObject({ status: 'succeeded' });
    const text = await documentText(admin);
    expect(text).toContain('Quokka guide');
    expect(text).not.toContain('hunter2');
    // The server is still up and answering after every refusal.
    expect((await api('GET', '/admin/me', admin)).status).toBe(200);
  });

  it('under AUTH_MODE=jwt without SMOOTH_AGENT_FILE_CONNECTOR_ROOTS, file connectors are refused with a message naming the variable', async () => {
    const { root } = tree();
    const { admin } = await boot({});
    expectRefusedRun(await runConnector(admin, 'file', { path: root }), /file connectors are disabled on this server: set SMOOTH_AGENT_FILE_CONNECTOR_ROOTS/);
  });

  it('indexes the same fixtures when the configured roots include them', async () => {
    const { root, outside } = tree();
    const { admin } = await boot({ fileConnectorRoots: [root, outside, '/etc'] });
    expect((await runConnector(admin, 'file', { path: '/etc', include: ['X11/rgb.txt'] })).run.status).toBe('succeeded');
    expect((await runConnector(admin, 'file', { path: join(root, 'link-out') })).run.status).toBe('succeeded');
    expect((await runConnector(admin, 'file', { path: join(root, 'docs') })).run.status).toBe('succeeded');
    const text = await documentText(admin);
    expect(text).toContain('hunter2');
    expect(text).toMatch(/rgb\.txt/);
    // ".." stays refused whatever the roots: the path must be named directly.
    expectRefusedRun(await runConnector(admin, 'file', { path: `${root}/../outside` }), /contains "\.\."/);
  });
});

describe('web connector confinement', () => {
  it('classifies the private, loopback, link-local, unique-local and metadata ranges (IPv4 and IPv6) as refused', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '64:ff9b::a9fe:a9fe', '224.0.0.1']) {
      expect(addressRefusal(address), address).toEqual(expect.any(String));
    }
    for (const address of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']) expect(addressRefusal(address), address).toBeUndefined();
  });

  it('refuses loopback, [::1], a name resolving to loopback, 169.254.169.254 and 10.0.0.1 before connecting', async () => {
    const v4 = await site('127.0.0.1', page('Loopback page about Quokkas.'));
    const v6 = await site('::1', page('IPv6 loopback page about Quokkas.'));
    const { admin } = await boot({});
    const port = new URL(v4.url).port;
    const cases: Array<[string, RegExp]> = [
      [`${v4.url}/`, /127\.0\.0\.1 is a loopback address/],
      [`${v6.url}/`, /::1 is a loopback address/],
      [`http://localhost:${port}/`, /localhost resolves to .*loopback/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a linkLocal address/],
      ['http://10.0.0.1/', /10\.0\.0\.1 is a private address/],
      ['http://[fd00:ec2::254]/latest/meta-data/', /uniqueLocal/],
    ];
    for (const [url, reason] of cases) {
      const result = await runConnector(admin, 'web', { url, depth: 0 });
      expectRefusedRun(result, reason);
      expect(result.run.error).toContain('SMOOTH_AGENT_CONNECTORS_ALLOW_PRIVATE');
    }
    expect(v4.hits).toEqual([]);
    expect(v6.hits).toEqual([]);
  });

  it('with SMOOTH_AGENT_CONNECTORS_ALLOW_PRIVATE=1 indexes the loopback fixtures, and still refuses a cross-origin redirect of the start URL', async () => {
    const v4 = await site('127.0.0.1', page('Loopback page about Quokkas.'));
    const v6 = await site('::1', page('IPv6 loopback page about Wombats.'));
    const inner = await site('127.0.0.1', page('Internal page: the Numbat root password.'));
    const redirecting = await site('127.0.0.1', () => ({ status: 302, headers: { location: `${inner.url}/internal` } }));
    const { admin } = await boot({ connectorsAllowPrivate: true });
    expect((await runConnector(admin, 'web', { url: `${v4.url}/`, depth: 0 })).run.status).toBe('succeeded');
    expect((await runConnector(admin, 'web', { url: `${v6.url}/`, depth: 0 })).run.status).toBe('succeeded');
    const text = await documentText(admin);
    expect(text).toContain('Quokkas');
    expect(text).toContain('Wombats');

    expectRefusedRun(await runConnector(admin, 'web', { url: `${redirecting.url}/start`, depth: 0 }), /redirects to another origin/);
    expect(redirecting.hits).toEqual(['/start']);
    expect(inner.hits).toEqual([]);
    expect(await documentText(admin)).not.toContain('Numbat');
  });

  it('refuses a cross-origin redirect of the start URL with the address policy on, too', async () => {
    // The start is public-looking only by name; the refusal must come from the origin rule or the
    // address rule, never from a request sent to the redirect target.
    const inner = await site('127.0.0.1', page('Internal page.'));
    const redirecting = await site('127.0.0.1', () => ({ status: 301, headers: { location: `${inner.url}/` } }));
    const { admin } = await boot({});
    expectRefusedRun(await runConnector(admin, 'web', { url: `${redirecting.url}/`, depth: 0 }), /loopback/);
    expect(redirecting.hits).toEqual([]);
    expect(inner.hits).toEqual([]);
  });
});
