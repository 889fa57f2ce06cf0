import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/storage/index.js';
import { AGENT_ID, startHarness, type Harness } from './support/harness.js';
import { at, TestClient } from './support/ws-client.js';

const secret = 'conversations-secret-conversations-secret';
const config = { authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };
const sign = (sub: string, org: string) =>
  new SignJWT({ org, role: 'basic' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

let harness: Harness | undefined;
const sockets: TestClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.close();
  harness = undefined;
});

async function as(user: string, org = 'org-1'): Promise<TestClient> {
  const client = await TestClient.connect(`${harness!.server.wsUrl}?token=${await sign(user, org)}`);
  sockets.push(client);
  return client;
}

async function anonymous(): Promise<TestClient> {
  const client = await TestClient.connect(harness!.server.wsUrl);
  sockets.push(client);
  return client;
}

async function converse(client: TestClient, message: string, extra: Record<string, unknown> = {}) {
  const created = await client.request({ action: 'create_conversation_session', requestId: 'c', agentId: AGENT_ID, ...extra });
  expect(created).toMatchObject({ type: 'immediate_response', status: 200 });
  const { sessionId, conversationId } = created.data as { sessionId: string; conversationId: string };
  client.send({ action: 'send_message', requestId: `s-${message}`, sessionId, message });
  expect((await client.untilTerminal()).at(-1)?.type).toBe('eventual_response');
  return { sessionId, conversationId };
}

type Listed = Array<{ conversationId: string; title: string; updatedAt: string; messageCount: number }>;
const list = async (client: TestClient, extra: Record<string, unknown> = {}) => {
  const res = await client.request({ action: 'list_conversations', requestId: 'l', ...extra });
  expect(res).toMatchObject({ type: 'immediate_response', status: 200, message: 'Conversations', requestId: 'l' });
  return at(res, 'data.conversations') as Listed;
};

describe('conversations of signed-in users', () => {
  it('lists only the caller’s own conversations with title, activity and message count', async () => {
    harness = await startHarness([], { config }, {}, { respond: () => ({ kind: 'text', text: 'reply' }) });
    const alice = await as('alice');
    const first = await converse(alice, 'Where is my order #42? It was due last week and the tracking page shows nothing at all');
    const second = await converse(alice, 'Refund please');
    await converse(await as('bob'), 'Bob’s question');
    await converse(await as('alice', 'org-2'), 'Same user id, other organization');
    await converse(await anonymous(), 'anonymous question');

    const own = await list(alice);
    expect(own.map((c) => c.conversationId)).toEqual([second.conversationId, first.conversationId]);
    expect(own[1]).toMatchObject({ messageCount: 2, title: 'Where is my order #42? It was due last week and the trackin…' });
    expect([...own[1]!.title].length).toBe(60);
    expect(own[0]).toMatchObject({ title: 'Refund please', messageCount: 2 });
    expect(Date.parse(own[0]!.updatedAt)).not.toBeNaN();
    expect(await list(alice, { limit: 1 })).toHaveLength(1);
    expect(await list(alice, { limit: 'lots' })).toHaveLength(2);
    expect(await list(await anonymous())).toEqual([]);
    expect((await list(await as('bob'))).map((c) => c.title)).toEqual(['Bob’s question']);
    expect(alice.schemaViolations).toEqual([]);
  });

  it('renames only the caller’s own conversation, to a title of at most 60 characters', async () => {
    harness = await startHarness([], { config }, {}, { respond: () => ({ kind: 'text', text: 'reply' }) });
    const alice = await as('alice');
    const { conversationId } = await converse(alice, 'hello');
    const head = 'Réfund — 🎉 ';
    const title = head + '·'.repeat(60 - [...head].length);
    expect([...title].length).toBe(60);
    const renamed = await alice.request({ action: 'rename_conversation', requestId: 'r', conversationId, title: `  ${title}  ` });
    expect(renamed).toMatchObject({ status: 200, message: 'Conversation renamed', data: { conversationId, title } });
    expect((await list(alice))[0]).toMatchObject({ conversationId, title });

    const tooLong = await alice.request({ action: 'rename_conversation', requestId: 'r2', conversationId, title: `${title}x` });
    expect(tooLong).toMatchObject({ type: 'error', requestId: 'r2', error: { code: 'VALIDATION_ERROR', message: "'title' exceeds 60 characters" } });
    for (const bad of [{ title: '   ' }, { title: 42 }, {}, { title: 'line\nbreak' }]) {
      const res = await alice.request({ action: 'rename_conversation', requestId: 'r3', conversationId, ...bad });
      expect(res, JSON.stringify(bad)).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    }
    expect(await alice.request({ action: 'rename_conversation', requestId: 'r4', title: 'x' })).toMatchObject({ error: { code: 'VALIDATION_ERROR', message: "missing 'conversationId'" } });

    for (const intruder of [await as('bob'), await as('alice', 'org-2'), await anonymous()]) {
      const res = await intruder.request({ action: 'rename_conversation', requestId: 'x', conversationId, title: 'mine now' });
      expect(res).toMatchObject({ type: 'error', requestId: 'x', error: { code: 'CONVERSATION_NOT_FOUND', message: `conversation '${conversationId}' not found` } });
    }
    expect(await alice.request({ action: 'rename_conversation', requestId: 'y', conversationId: 'no-such', title: 't' })).toMatchObject({ error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect((await list(alice))[0]!.title).toBe(title);
  });

  it('resumes the caller’s own conversation with its history, and refuses anyone else’s', async () => {
    harness = await startHarness([], { config }, {}, { respond: () => ({ kind: 'text', text: 'noted' }) });
    const alice = await as('alice');
    const { conversationId } = await converse(alice, 'my order is 42');

    const later = await as('alice');
    const resumed = await later.request({ action: 'create_conversation_session', requestId: 'c2', agentId: AGENT_ID, conversationId });
    expect(resumed).toMatchObject({ status: 200, data: { conversationId } });
    const { sessionId } = resumed.data as { sessionId: string };
    later.send({ action: 'send_message', requestId: 's2', sessionId, message: 'what was my order?' });
    await later.untilTerminal();
    const replayed = harness.gateway.requests.at(-1)!.body.messages.map((m) => [m.role, m.content]);
    expect(replayed.slice(1)).toEqual([
      ['user', 'my order is 42'],
      ['assistant', 'noted'],
      ['user', 'what was my order?'],
    ]);
    expect((await list(later)).map((c) => [c.conversationId, c.messageCount])).toEqual([[conversationId, 4]]);

    const requests = harness.gateway.requests.length;
    for (const intruder of [await as('bob'), await as('alice', 'org-2'), await anonymous()]) {
      const res = await intruder.request({ action: 'create_conversation_session', requestId: 'steal', agentId: AGENT_ID, conversationId });
      expect(res).toMatchObject({ type: 'error', requestId: 'steal', error: { code: 'CONVERSATION_NOT_FOUND' } });
    }
    expect(await later.request({ action: 'create_conversation_session', requestId: 'e', agentId: AGENT_ID, conversationId: '' })).toMatchObject({
      error: { code: 'VALIDATION_ERROR' },
    });
    expect(await later.request({ action: 'create_conversation_session', requestId: 'n', agentId: AGENT_ID, conversationId: 7 })).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: "'conversationId' must be a string" },
    });
    // Nothing was written for the refused attempts: the conversation still has its four messages and one owner.
    expect(harness.gateway.requests.length).toBe(requests);
    expect((await list(alice)).map((c) => c.messageCount)).toEqual([4]);
    expect(await list(await as('bob'))).toEqual([]);
  });

  it('a resume that omits supports inherits what the conversation declared; one that declares a list replaces it', async () => {
    const storage = new MemoryStorage();
    harness = await startHarness([], { config, storage }, {}, { respond: () => ({ kind: 'text', text: 'ok' }) });
    const alice = await as('alice');
    const { conversationId } = await converse(alice, 'hi', { supports: ['identity_form', 'choice_chips'] });
    const supportsOf = async (extra: Record<string, unknown>) => {
      const res = await alice.request({ action: 'create_conversation_session', requestId: 'r', agentId: AGENT_ID, conversationId, ...extra });
      return (await storage.getSession((res.data as { sessionId: string }).sessionId))?.metadata.clientSupports;
    };
    expect(await supportsOf({})).toEqual(['identity_form', 'choice_chips']);
    expect(await supportsOf({ supports: [] })).toEqual([]);
    expect(await supportsOf({})).toEqual([]);
    expect(await supportsOf({ supports: ['choice_chips'] })).toEqual(['choice_chips']);
    expect(await supportsOf({})).toEqual(['choice_chips']);
  });
});
