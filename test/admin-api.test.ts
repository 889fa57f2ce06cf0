import { Validator } from '@seriousme/openapi-schema-validator';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../src/admin/routes/index.js';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient } from './support/ws-client.js';
import { adminCall } from './support/admin-http.js';

const secret = 'admin-api-secret-admin-api-secret';
const config = { authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };
const sign = (sub: string, org: string, role: string) =>
  new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

let harness: Harness | undefined;
const sockets: TestClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.close();
  harness = undefined;
});

async function api(method: string, path: string, token?: string, body?: unknown) {
  return adminCall(harness!.server.httpUrl, method, path, token, body);
}

async function socket(token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${harness!.server.wsUrl}?token=${token}`);
  sockets.push(client);
  return client;
}

async function sessionFor(token: string): Promise<{ client: TestClient; sessionId: string; conversationId: string }> {
  const client = await socket(token);
  const created = await client.request({ action: 'create_conversation_session', requestId: 'c' });
  const data = created.data as { sessionId: string; conversationId: string };
  return { client, ...data };
}

describe('admin API', () => {
  it('serves an OpenAPI 3.1 document that validates and lists every route', async () => {
    harness = await startHarness([]);
    const doc = await api('GET', '/admin/openapi.json');
    expect(doc.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(doc.body as Parameters<Validator["validate"]>[0]);
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator must be able to fail: the same document without its info block is rejected.
    expect((await new Validator().validate({ ...doc.body, info: undefined } as Parameters<Validator["validate"]>[0])).valid).toBe(false);
    const paths = doc.body!.paths as Record<string, Record<string, unknown>>;
    for (const route of ADMIN_ROUTES) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('answers CORS preflights on /admin only', async () => {
    harness = await startHarness([]);
    const pre = await fetch(`${harness.server.httpUrl}/admin/settings`, { method: 'OPTIONS', headers: { origin: 'https://console.example' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const health = await fetch(`${harness.server.httpUrl}/health`);
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    expect(await api('GET', '/admin/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('reports the principal and scopes conversations to the organization and, for basic users, to their own', async () => {
    harness = await startHarness([], { config });
    const alice = await sign('alice', 'org-1', 'basic');
    const bob = await sign('bob', 'org-1', 'basic');
    const curator = await sign('carol', 'org-1', 'curator');
    const outsider = await sign('olga', 'org-2', 'admin');
    expect(await api('GET', '/admin/me', alice)).toMatchObject({ status: 200, body: { userId: 'alice', orgId: 'org-1', role: 'basic' } });

    const a = await sessionFor(alice);
    await sessionFor(bob);
    const listed = (r: Awaited<ReturnType<typeof api>>) => (r.body!.conversations as Array<{ id: string }>).map((c) => c.id);
    expect(listed(await api('GET', '/admin/conversations', alice))).toEqual([a.conversationId]);
    expect(listed(await api('GET', '/admin/conversations', curator))).toHaveLength(2);
    expect(listed(await api('GET', '/admin/conversations', outsider))).toEqual([]);
    const paged = await api('GET', '/admin/conversations?limit=1', curator);
    expect(paged.body).toMatchObject({ nextCursor: 1 });
    expect((await api('GET', '/admin/conversations?limit=abc', curator)).status).toBe(400);

    expect((await api('GET', `/admin/conversations/${a.conversationId}/messages`, alice)).status).toBe(200);
    expect(await api('GET', `/admin/conversations/${a.conversationId}/messages`, bob)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await api('GET', `/admin/conversations/${a.conversationId}/messages`, outsider)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('settings: curators read, admins write, and persona and prompt apply to the next turn of that org', async () => {
    harness = await startHarness([{ kind: 'text', text: 'Ahoy!' }, { kind: 'text', text: 'Hello.' }], { config });
    const admin = await sign('ann', 'org-1', 'admin');
    const curator = await sign('carol', 'org-1', 'curator');
    expect(await api('GET', '/admin/settings', curator)).toMatchObject({ status: 200, body: { settings: { orgId: 'org-1', persona: null } } });
    expect((await api('PUT', '/admin/settings', curator, { persona: 'x' })).status).toBe(403);
    expect(await api('PUT', '/admin/settings', admin, { persona: 42 })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('persona') } } });
    const put = await api('PUT', '/admin/settings', admin, { persona: 'Talk like a pirate.', systemPrompt: 'You support Acme.' });
    expect(put).toMatchObject({ status: 200, body: { settings: { persona: 'Talk like a pirate.', systemPrompt: 'You support Acme.' } } });

    const mine = await sessionFor(admin);
    mine.client.send({ action: 'send_message', requestId: 'r', sessionId: mine.sessionId, message: 'hi' });
    await mine.client.untilTerminal();
    const system = String(harness.gateway.requests[0]!.body.messages[0]!.content);
    expect(system).toContain('You support Acme.');
    expect(system).toContain('Talk like a pirate.');

    const other = await sessionFor(await sign('zed', 'org-2', 'basic'));
    other.client.send({ action: 'send_message', requestId: 'r', sessionId: other.sessionId, message: 'hi' });
    await other.client.untilTerminal();
    expect(String(harness.gateway.requests[1]!.body.messages[0]!.content)).not.toContain('pirate');
  });

  it('publish reaches sockets of the admin’s own organization only', async () => {
    harness = await startHarness([], { config });
    const admin = await sign('ann', 'org-1', 'admin');
    const foreignAdmin = await sign('olga', 'org-2', 'admin');
    const visitor = await sessionFor(await sign('vic', 'org-1', 'basic'));
    const event = { type: 'keepalive', data: { note: 'maintenance at noon' } };
    expect(await api('POST', '/admin/publish', admin, { target: { type: 'session', id: visitor.sessionId }, event })).toMatchObject({ body: { delivered: 1 } });
    expect(await visitor.client.nextOfType('keepalive')).toMatchObject({ data: { note: 'maintenance at noon' } });
    expect(await api('POST', '/admin/publish', admin, { target: { type: 'user', id: 'vic' }, event })).toMatchObject({ body: { delivered: 1 } });
    expect(await api('POST', '/admin/publish', admin, { target: { type: 'org', id: 'org-1' }, event })).toMatchObject({ body: { delivered: 1 } });
    expect(await api('POST', '/admin/publish', foreignAdmin, { target: { type: 'session', id: visitor.sessionId }, event })).toMatchObject({ body: { delivered: 0 } });
    expect(await api('POST', '/admin/publish', foreignAdmin, { target: { type: 'user', id: 'vic' }, event })).toMatchObject({ body: { delivered: 0 } });
    expect(await api('POST', '/admin/publish', foreignAdmin, { target: { type: 'org', id: 'org-1' }, event })).toMatchObject({ body: { delivered: 0 } });
    expect((await api('POST', '/admin/publish', await sign('vic', 'org-1', 'curator'), { target: { type: 'org', id: 'org-1' }, event })).status).toBe(403);
    expect((await api('POST', '/admin/publish', admin, { target: { type: 'planet', id: 'x' }, event })).status).toBe(400);
  });

  it('model-costs answers {} when the gateway has no price list, and only to an authenticated caller', async () => {
    harness = await startHarness([], { config });
    expect(await api('GET', '/admin/model-costs')).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    expect(await api('GET', '/admin/model-costs', await sign('u', 'org-1', 'basic'))).toMatchObject({ status: 200, body: {} });
  });
});
