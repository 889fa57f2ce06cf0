import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient, at, type Frame } from './support/ws-client.js';

/**
 * Table-driven isolation check: every principal × every protected surface, with the expected
 * outcome spelled out per cell. A "leak" is a cell that allowed what it should have denied.
 */
const secret = 'security-matrix-secret-security-matrix';
const config = { authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };

type Who = 'anonymous' | 'basicA' | 'basicB' | 'curator' | 'admin';
type Org = 'org-1' | 'org-2';
interface Caller {
  label: string;
  who: Who;
  org: Org | undefined;
  token: string | undefined;
}

const sign = (sub: string, org: string, role: string, groups: string[] = []) =>
  new SignJWT({ org, role, groups }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

let harness: Harness;
let callers: Caller[];
let ownerSession: { sessionId: string; conversationId: string };
const rows: Array<{ surface: string; caller: string; expected: 'allow' | 'deny'; actual: 'allow' | 'deny' }> = [];
const sockets: TestClient[] = [];

/** Only basic user A of org 1 owns the session; curators and admins see it through the admin API only. */
const ownsSession = (c: Caller) => c.who === 'basicA' && c.org === 'org-1';
const orgReader = (c: Caller) => c.org === 'org-1' && (c.who === 'curator' || c.who === 'admin');

async function connect(caller: Caller): Promise<TestClient> {
  const client = await TestClient.connect(`${harness.server.wsUrl}${caller.token ? `?token=${caller.token}` : ''}`);
  sockets.push(client);
  return client;
}

async function admin(method: string, path: string, caller: Caller, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${harness.server.httpUrl}${path}`, {
    method,
    headers: { ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function record(surface: string, caller: Caller, expected: boolean, actual: boolean): void {
  rows.push({ surface, caller: caller.label, expected: expected ? 'allow' : 'deny', actual: actual ? 'allow' : 'deny' });
}

beforeAll(async () => {
  const script = Array.from({ length: 40 }, () => ({ kind: 'text' as const, text: 'ok' }));
  harness = await startHarness(script, { config });
  callers = [{ label: 'anonymous', who: 'anonymous', org: undefined, token: undefined }];
  for (const org of ['org-1', 'org-2'] as const) {
    callers.push(
      { label: `basicA@${org}`, who: 'basicA', org, token: await sign('user-a', org, 'basic') },
      { label: `basicB@${org}`, who: 'basicB', org, token: await sign('user-b', org, 'basic') },
      { label: `curator@${org}`, who: 'curator', org, token: await sign('cora', org, 'curator', ['support']) },
      { label: `admin@${org}`, who: 'admin', org, token: await sign('adam', org, 'admin') },
    );
  }
  const owner = callers.find((c) => c.label === 'basicA@org-1')!;
  const client = await connect(owner);
  const created = await client.request({ action: 'create_conversation_session', requestId: 'c' });
  ownerSession = created.data as { sessionId: string; conversationId: string };
  client.send({ action: 'send_message', requestId: 'seed', sessionId: ownerSession.sessionId, message: 'my order number is 555' });
  await client.untilTerminal();
});

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await harness?.close();
  if (rows.length > 0) {
    const leaks = rows.filter((r) => r.expected === 'deny' && r.actual === 'allow').length;
    const denials = rows.filter((r) => r.expected === 'allow' && r.actual === 'deny').length;
    console.log(`\nsecurity matrix: ${rows.length} cells, ${leaks} leaks, ${denials} wrongful denials`);
    console.table(rows);
  }
});

describe('security matrix', () => {
  const wsActions = [
    { action: 'get_session', frame: {} },
    { action: 'get_conversation_messages', frame: {} },
    { action: 'send_message', frame: { message: 'what is my order number?' } },
    { action: 'confirm_tool_action', frame: { approved: true } },
  ];

  it('WebSocket actions that take a session id', async () => {
    for (const caller of callers) {
      const client = await connect(caller);
      for (const { action, frame } of wsActions) {
        client.send({ action, requestId: `${action}-${caller.label}`, sessionId: ownerSession.sessionId, ...frame });
        const reply: Frame = await client.next((f) => f.requestId === `${action}-${caller.label}`);
        const denied = reply.type === 'error' && at(reply, 'error.code') === 'SESSION_NOT_FOUND';
        // confirm has nothing pending; reaching NO_PENDING_CONFIRMATION proves the session was visible.
        record(`ws ${action}`, caller, ownsSession(caller), !denied);
        if (action === 'send_message' && !denied) await client.untilTerminal();
      }
    }
  });

  it('admin endpoints', async () => {
    for (const caller of callers) {
      const me = await admin('GET', '/admin/me', caller);
      record('GET /admin/me', caller, caller.token !== undefined, me.status === 200);

      const list = await admin('GET', '/admin/conversations', caller);
      const listed = list.status === 200 && JSON.stringify(list.json).includes(ownerSession.conversationId);
      record('GET /admin/conversations (sees A’s)', caller, ownsSession(caller) || orgReader(caller), listed);

      const messages = await admin('GET', `/admin/conversations/${ownerSession.conversationId}/messages`, caller);
      const readable = messages.status === 200 && JSON.stringify(messages.json).includes('555');
      record('GET /admin/conversations/:id/messages', caller, ownsSession(caller) || orgReader(caller), readable);

      const settings = await admin('GET', '/admin/settings', caller);
      record('GET /admin/settings', caller, caller.who === 'curator' || caller.who === 'admin', settings.status === 200);

      const put = await admin('PUT', '/admin/settings', caller, { persona: `persona by ${caller.label}` });
      record('PUT /admin/settings', caller, caller.who === 'admin', put.status === 200);

      const publish = await admin('POST', '/admin/publish', caller, {
        target: { type: 'session', id: ownerSession.sessionId },
        event: { type: 'keepalive' },
      });
      const delivered = publish.status === 200 && (publish.json as { delivered: number }).delivered > 0;
      record('POST /admin/publish → A’s session', caller, caller.who === 'admin' && caller.org === 'org-1', delivered);

      const docs = await admin('GET', '/admin/knowledge/documents', caller);
      record('GET /admin/knowledge/documents', caller, caller.who === 'curator' || caller.who === 'admin', docs.status === 200);
    }
  });

  it('knowledge retrieval and citations', async () => {
    const curatorOrg1 = callers.find((c) => c.label === 'curator@org-1')!;
    const curatorOrg2 = callers.find((c) => c.label === 'curator@org-2')!;
    const doc = (id: string, acl?: { public: boolean; users: string[]; groups: string[] }) => ({
      id,
      source: `${id}.md`,
      content: `Zephyr policy ${id}: the zephyr allowance is documented here.`,
      ...(acl ? { acl } : {}),
    });
    const post = async (caller: Caller, documents: unknown[]) =>
      expect((await admin('POST', '/admin/knowledge/documents', caller, { documents })).status).toBe(201);
    await post(curatorOrg1, [
      doc('org1-all'),
      doc('org1-user-a', { public: false, users: ['user-a'], groups: [] }),
      doc('org1-support', { public: false, users: [], groups: ['support'] }),
    ]);
    await post(curatorOrg2, [doc('org2-all')]);

    const expectations: Array<{ id: string; reader: (c: Caller) => boolean }> = [
      { id: 'org1-all', reader: (c) => c.org === 'org-1' },
      { id: 'org1-user-a', reader: (c) => c.org === 'org-1' && c.who === 'basicA' },
      { id: 'org1-support', reader: (c) => c.org === 'org-1' && c.who === 'curator' },
      { id: 'org2-all', reader: (c) => c.org === 'org-2' },
    ];
    for (const caller of callers) {
      const client = await connect(caller);
      const created = await client.request({ action: 'create_conversation_session', requestId: `k-${caller.label}` });
      const sessionId = (created.data as { sessionId: string }).sessionId;
      client.send({ action: 'send_message', requestId: `q-${caller.label}`, sessionId, message: 'what is the zephyr allowance policy?' });
      const frames = await client.untilTerminal();
      const cited = ((at(frames.at(-1), 'data.data.citations') as Array<{ id: string }> | undefined) ?? []).map((c) => c.id);
      const prompt = JSON.stringify(harness.gateway.requests.at(-1)?.body.messages ?? []);
      for (const { id, reader } of expectations) {
        record(`citation ${id}`, caller, reader(caller), cited.includes(id));
        record(`model context ${id}`, caller, reader(caller), prompt.includes(`source=${id}.md`));
      }
    }
  });

  it('has no leaks and no wrongful denials', () => {
    expect(rows.length).toBeGreaterThan(0);
    const wrong = rows.filter((r) => r.expected !== r.actual);
    expect(wrong).toEqual([]);
  });
});
