import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticWidgetPolicies } from '../src/auth/index.js';
import { MemoryBackplane, type Sink } from '../src/backplane/index.js';
import type { Config } from '../src/config/index.js';
import { startLocalServer } from '../src/index.js';
import type { ScriptStep } from '../src/testing/index.js';
import { startHarness, type Harness } from './support/harness.js';
import { startToolServer } from './support/tool-server.js';
import { at, TestClient, type Frame } from './support/ws-client.js';
import { adminCall } from './support/admin-http.js';

/** Findings 1-4 and 6 of issue 9, each reproduced as an attacker would bring it. */
const secret = 'tenancy-identity-secret-tenancy-identity';
const jwt = { hs256Secret: secret, clockToleranceSec: 5 };
const sign = (sub: string, org: string, role: string, groups: string[] = []) =>
  new SignJWT({ org, role, groups }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

const WIDGET_AGENT = '00000000-0000-4000-8000-00000000000a';
const SHOP = 'https://shop.example';
const widgetPolicies = () => new StaticWidgetPolicies([[WIDGET_AGENT, { allowedOrigins: [SHOP], organizationId: 'org-w' }]]);

/** Records every socket id the server attaches, so a test can aim /admin/publish at one. */
class RecordingBackplane extends MemoryBackplane {
  readonly attached: string[] = [];
  override attach(connectionId: string, sink: Sink): void {
    this.attached.push(connectionId);
    super.attach(connectionId, sink);
  }
}

let harness: Harness | undefined;
const sockets: TestClient[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.close();
  harness = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function connect(token?: string, origin?: string): Promise<TestClient> {
  const url = `${harness!.server.wsUrl}${token ? `?token=${token}` : ''}`;
  const client = await TestClient.connectWith(url, origin);
  sockets.push(client);
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
async function api(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Json }> {
  return adminCall<Json>(harness!.server.httpUrl, method, path, token, body);
}

const create = (client: TestClient, agentId?: string) =>
  client.request({ action: 'create_conversation_session', requestId: `c-${Math.random()}`, ...(agentId ? { agentId } : {}) });
const sessionOf = (frame: Frame) => frame.data as { sessionId: string; conversationId: string };

const doc = (id: string, acl?: { public: boolean; users: string[]; groups: string[] }) => ({
  id,
  source: `${id}.md`,
  content: `Zephyr allowance rule ${id}: the zephyr allowance is described here.`,
  ...(acl ? { acl } : {}),
});

function searchTurns(n: number): ScriptStep[] {
  return Array.from({ length: n }, () => [
    { kind: 'toolCall' as const, name: 'knowledge_search', arguments: '{"query":"zephyr allowance","limit":20}' },
    { kind: 'text' as const, text: 'Here is what I found.' },
  ]).flat();
}

/** Everything a turn exposed: the ids cited, the model's context block, and knowledge_search's results. */
async function turnView(client: TestClient, sessionId: string): Promise<{ cited: string[]; context: string; searched: string }> {
  const before = harness!.gateway.requests.length;
  client.send({ action: 'send_message', requestId: 'q', sessionId, message: 'what is the zephyr allowance?' });
  const frames = await client.untilTerminal();
  expect(frames.at(-1)?.type).toBe('eventual_response');
  const requests = harness!.gateway.requests.slice(before);
  const messages = requests.flatMap((r) => r.body.messages);
  return {
    cited: ((at(frames.at(-1), 'data.data.citations') as Array<{ id: string }> | undefined) ?? []).map((c) => c.id),
    context: messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n'),
    searched: messages.filter((m) => m.role === 'tool').map((m) => String(m.content)).join('\n'),
  };
}

describe('finding 1: a foreign identity inside another tenant', () => {
  it("a token of org X through org W's widget is an anonymous visitor of W: no user, no groups, W's restricted documents stay closed", async () => {
    harness = await startHarness(searchTurns(2), { config: { authMode: 'jwt', jwt }, widgetPolicies: widgetPolicies() });
    const curatorW = await sign('cora', 'org-w', 'curator');
    expect(
      (await api('POST', '/admin/knowledge/documents', curatorW, {
        documents: [doc('w-public'), doc('w-vip', { public: false, users: [], groups: ['vip'] }), doc('w-alice', { public: false, users: ['alice'], groups: [] })],
      })).status,
    ).toBe(201);
    expect((await api('POST', '/admin/knowledge/documents', await sign('xavier', 'org-x', 'curator'), { documents: [doc('x-public')] })).status).toBe(201);

    const aliceX = await connect(await sign('alice', 'org-x', 'basic', ['vip']), SHOP);
    const created = sessionOf(await create(aliceX, WIDGET_AGENT));
    const view = await turnView(aliceX, created.sessionId);
    for (const part of [view.cited.join(' '), view.context, view.searched]) {
      expect(part).toContain('w-public');
      expect(part).not.toContain('w-vip');
      expect(part).not.toContain('w-alice');
      expect(part).not.toContain('x-public');
    }

    // The same rule with a real member of W: alice@W with group vip reads both.
    const aliceW = await connect(await sign('alice', 'org-w', 'basic', ['vip']), SHOP);
    const own = sessionOf(await create(aliceW, WIDGET_AGENT));
    const member = await turnView(aliceW, own.sessionId);
    expect(member.cited).toEqual(expect.arrayContaining(['w-public', 'w-vip', 'w-alice']));
  });
});

describe('finding 2: ownership is {organization, user}, not the user id alone', () => {
  it("alice@W neither uses nor reads alice@X's widget conversation; alice@org-2 never reaches alice@org-1's session", async () => {
    harness = await startHarness([{ kind: 'text', text: 'my order is 555' }], { config: { authMode: 'jwt', jwt }, widgetPolicies: widgetPolicies() });
    const aliceXToken = await sign('alice', 'org-x', 'basic');
    const aliceWToken = await sign('alice', 'org-w', 'basic');
    const aliceX = await connect(aliceXToken, SHOP);
    const widgetSession = sessionOf(await create(aliceX, WIDGET_AGENT));
    aliceX.send({ action: 'send_message', requestId: 'm', sessionId: widgetSession.sessionId, message: 'order 555' });
    await aliceX.untilTerminal();

    const aliceW = await connect(aliceWToken, SHOP);
    for (const action of ['get_session', 'get_conversation_messages', 'send_message']) {
      const reply = await aliceW.request({ action, requestId: `w-${action}`, sessionId: widgetSession.sessionId, message: 'hi' });
      expect(reply, action).toMatchObject({ type: 'error', error: { code: 'SESSION_NOT_FOUND' } });
    }
    expect(await api('GET', `/admin/conversations/${widgetSession.conversationId}/messages`, aliceWToken)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(JSON.stringify((await api('GET', '/admin/conversations', aliceWToken)).body)).not.toContain(widgetSession.conversationId);
    // The visitor that created it keeps it.
    expect(await aliceX.request({ action: 'get_session', requestId: 'again', sessionId: widgetSession.sessionId })).toMatchObject({ status: 200 });

    // Directly created: alice@org-1 owns it; the same `sub` in org-2 is a stranger everywhere.
    const alice1Token = await sign('alice', 'org-1', 'basic');
    const alice2Token = await sign('alice', 'org-2', 'basic');
    const direct = sessionOf(await create(await connect(alice1Token)));
    const alice2 = await connect(alice2Token);
    expect(await alice2.request({ action: 'get_session', requestId: 'g', sessionId: direct.sessionId })).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    expect((await api('GET', `/admin/conversations/${direct.conversationId}/messages`, alice2Token)).status).toBe(404);
    expect(JSON.stringify((await api('GET', '/admin/conversations', alice1Token)).body)).toContain(direct.conversationId);
  });
});

function toolsFile(url: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'so-tenancy-tools-')), 'tools.json');
  writeFileSync(path, JSON.stringify([{ name: 'queue_refund', description: 'Queue a refund', parameters: { type: 'object' }, url: `${url}/refunds` }]));
  return path;
}

describe('finding 3: an anonymous session id is a secret', () => {
  it('never appears in admin output; staff holding it cannot act as the visitor, and a foreign confirm leaves the approval pending', async () => {
    const tools = await startToolServer((_path, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    cleanups.push(tools.close);
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'queue_refund', arguments: '{"amount":90}' }, { kind: 'text', text: 'Refund queued.' }],
      { config: { authMode: 'jwt', jwt, toolsFile: toolsFile(tools.url), confirmToolPatterns: ['refund'] } },
    );
    const visitor = await connect();
    const { sessionId, conversationId } = sessionOf(await create(visitor));
    visitor.send({ action: 'send_message', requestId: 'r', sessionId, message: 'refund my order please' });
    await visitor.nextOfType('write_confirmation_required');

    const curator = await sign('cora', 'default', 'curator');
    const admin = await sign('adam', 'default', 'admin');
    const list = await api('GET', '/admin/conversations', curator);
    expect(list.status).toBe(200);
    expect(list.body.conversations.map((c: { id: string }) => c.id)).toContain(conversationId);
    const messages = await api('GET', `/admin/conversations/${conversationId}/messages`, curator);
    expect(messages.status).toBe(200);
    for (const body of [list.body, messages.body]) expect(JSON.stringify(body)).not.toContain(sessionId);

    for (const token of [curator, admin]) {
      const staff = await connect(token);
      expect(await staff.request({ action: 'confirm_tool_action', requestId: 'steal', sessionId, approved: true })).toMatchObject({
        type: 'error',
        error: { code: 'NO_PENDING_CONFIRMATION', message: `no tool action is awaiting confirmation for session '${sessionId}'` },
      });
      expect(await staff.request({ action: 'get_conversation_messages', requestId: 'read', sessionId })).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    }
    expect(tools.calls).toEqual([]);

    // The approval was not consumed: the visitor still decides.
    visitor.send({ action: 'confirm_tool_action', requestId: 'mine', sessionId, approved: true });
    const frames = await visitor.untilTerminal();
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response' });
    expect(tools.calls).toHaveLength(1);
  });

  it('stays out of the logs, even at trace level and through failures', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    harness = await startHarness(
      [{ kind: 'text', text: 'hello' }, { kind: 'error', status: 500, body: 'upstream exploded' }],
      { config: { authMode: 'jwt', jwt }, logger: pino({ level: 'trace' }, sink) },
      { maxRetries: 0 },
    );
    const visitor = await connect();
    const { sessionId } = sessionOf(await create(visitor));
    visitor.send({ action: 'send_message', requestId: 'ok', sessionId, message: 'hi' });
    await visitor.untilTerminal();
    visitor.send({ action: 'send_message', requestId: 'fails', sessionId, message: 'hi again' });
    await visitor.untilTerminal();
    const member = await connect(await sign('m', 'default', 'curator'));
    await member.request({ action: 'get_session', requestId: 'g', sessionId });
    await member.request({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    await api('GET', '/admin/conversations', await sign('m', 'default', 'curator'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(sessionId);
  });

  it('confirm_tool_action for a session that does not exist answers NO_PENDING_CONFIRMATION', async () => {
    harness = await startHarness([], { config: { authMode: 'jwt', jwt } });
    const client = await connect(await sign('u', 'org-1', 'basic'));
    const ghost = '3f1c2b7e-0000-4000-8000-000000000000';
    expect(await client.request({ action: 'confirm_tool_action', requestId: 'x', sessionId: ghost, approved: true })).toMatchObject({
      error: { code: 'NO_PENDING_CONFIRMATION', message: `no tool action is awaiting confirmation for session '${ghost}'` },
    });
  });
});

describe("finding 4: an authenticated principal never gains a visitor's session by sharing its org", () => {
  it('a token of the anonymous org neither lists, uses nor publishes into anonymous sessions; the org is SMOOTH_AGENT_DEFAULT_ORG', async () => {
    const backplane = new RecordingBackplane();
    harness = await startHarness([{ kind: 'text', text: 'hello visitor' }], { config: { authMode: 'jwt', jwt, defaultOrgId: 'visitors' }, backplane });
    const visitor = await connect();
    const { sessionId, conversationId } = sessionOf(await create(visitor));
    const visitorSocket = backplane.attached.at(-1)!;

    const basic = await sign('mallory', 'visitors', 'basic');
    expect(JSON.stringify((await api('GET', '/admin/conversations', basic)).body)).not.toContain(conversationId);
    expect((await api('GET', `/admin/conversations/${conversationId}/messages`, basic)).status).toBe(403);
    const member = await connect(basic);
    for (const action of ['get_session', 'get_conversation_messages', 'send_message']) {
      expect(await member.request({ action, requestId: action, sessionId, message: 'hi' }), action).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    }
    // The configured org holds the visitor's conversation; `default` is just another org now.
    const curatorVisitors = await sign('cora', 'visitors', 'curator');
    expect(JSON.stringify((await api('GET', '/admin/conversations', curatorVisitors)).body)).toContain(conversationId);
    expect(JSON.stringify((await api('GET', '/admin/conversations', await sign('cora', 'default', 'curator'))).body)).not.toContain(conversationId);

    // /admin/publish to a connection: only the caller's organization's sockets.
    const event = { type: 'keepalive' };
    const foreignAdmin = await sign('eve', 'org-evil', 'admin');
    expect((await api('POST', '/admin/publish', foreignAdmin, { target: { type: 'connection', id: visitorSocket }, event })).body).toEqual({ delivered: 0 });
    const ownAdmin = await sign('adam', 'visitors', 'admin');
    expect((await api('POST', '/admin/publish', ownAdmin, { target: { type: 'connection', id: visitorSocket }, event })).body).toEqual({ delivered: 1 });
    const memberSocket = backplane.attached.at(-1)!;
    expect((await api('POST', '/admin/publish', foreignAdmin, { target: { type: 'connection', id: memberSocket }, event })).body).toEqual({ delivered: 0 });
  });
});

async function upstream(answer: () => { status: number; body: string }): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('/model/info')) hits++;
    const a = answer();
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, hits: () => hits };
}

describe('finding 6: smaller items', () => {
  it('a role claim of constructor or __proto__ is 401 MISSING_ROLE', async () => {
    harness = await startHarness([], { config: { authMode: 'jwt', jwt } });
    for (const role of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await api('GET', '/admin/me', await sign('u', 'org-1', role)), role).toMatchObject({ status: 401, body: { error: { code: 'MISSING_ROLE' } } });
    }
  });

  it('/admin/model-costs needs a role and reuses the upstream answer, failure and success alike', async () => {
    let status = 500;
    const gateway = await upstream(() => ({ status, body: status === 200 ? '{"data":[{"model_name":"m","model_info":{"input_cost_per_token":1}}]}' : '{}' }));
    const server = await startLocalServer({ config: { authMode: 'jwt', jwt, gateway: { baseUrl: gateway.url, apiKey: 'k', maxRetries: 0, idleTimeoutMs: 1000 } } });
    cleanups.push(() => server.close());
    const get = (token?: string) => fetch(`${server.httpUrl}/admin/model-costs`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get()).status).toBe(401);
    expect(gateway.hits()).toBe(0);
    const token = await sign('u', 'org-1', 'basic');
    for (let i = 0; i < 5; i++) expect(await (await get(token)).json()).toEqual({});
    expect(gateway.hits()).toBe(1);
    status = 200;
    expect(await (await get(token)).json()).toEqual({});
    expect(gateway.hits()).toBe(1);

    const fresh = await startLocalServer({ config: { authMode: 'jwt', jwt, gateway: { baseUrl: gateway.url, apiKey: 'k', maxRetries: 0, idleTimeoutMs: 1000 } } });
    cleanups.push(() => fresh.close());
    const read = () => fetch(`${fresh.httpUrl}/admin/model-costs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    const answers = await Promise.all([read(), read(), read()]);
    expect(answers[0]).toMatchObject({ m: { inputCostPerToken: 1 } });
    expect(await read()).toEqual(answers[0]);
    expect(gateway.hits()).toBe(2);
  });

  it('AUTH_MODE=none refuses a non-loopback bind unless SMOOTH_AGENT_ALLOW_INSECURE_ADMIN=1', async () => {
    const overrides: Partial<Config> = { authMode: 'none' };
    await expect(startLocalServer({ addr: '0.0.0.0:0', config: overrides })).rejects.toThrow(/SMOOTH_AGENT_ALLOW_INSECURE_ADMIN/);
    const allowed = await startLocalServer({ addr: '0.0.0.0:0', config: { ...overrides, allowInsecureAdmin: true } });
    await allowed.close();
    const loopback = await startLocalServer({ addr: '127.0.0.1:0', config: overrides });
    await loopback.close();

    // The CLI: exit code 2 and a message naming the variable.
    const child = spawn(process.execPath, ['dist/cli/main.js', 'serve'], {
      env: { PATH: process.env.PATH ?? '', AUTH_MODE: 'none', SMOOTH_AGENT_BIND: '0.0.0.0', SMOOTH_AGENT_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('SMOOTH_AGENT_ALLOW_INSECURE_ADMIN');
  });
});
