import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest, ScriptStep } from '../src/testing/index.js';
import { DEFAULT_SYSTEM_PROMPT } from '../src/engine/prompt.js';
import { MemoryAgentStore } from '../src/agents/agent-store.js';
import { MemorySettingsStore } from '../src/admin/settings-store.js';
import { defaultConfig } from '../src/config/index.js';
import { AGENT_ID, startHarness, type Harness } from './support/harness.js';
import { startToolServer } from './support/tool-server.js';
import { at } from './support/ws-client.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';
import { adminCall } from './support/admin-http.js';

let harness: Harness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const close of closers.splice(0)) await close();
});

function agentsFile(agents: unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'so-agents-')), 'agents.json');
  writeFileSync(path, JSON.stringify(agents));
  return path;
}

const systemOf = (req: RecordedRequest | undefined) => req?.body.messages[0]?.content as string;
const toolNamesOf = (req: RecordedRequest | undefined) => (req?.body.tools ?? []).map((t) => t.function.name).sort();

async function turn(h: Harness, sessionId: string, message: string, extra: Record<string, unknown> = {}) {
  const client = await h.connect();
  client.send({ action: 'send_message', requestId: `r-${message}`, sessionId, message, ...extra });
  const frames = await client.untilTerminal();
  expect(frames.at(-1)?.type).toBe('eventual_response');
  expect(client.schemaViolations).toEqual([]);
  return frames;
}

describe('per-agent prompt assembly', () => {
  it('uses the agent instructions with a personality section, greets only on the first turn, and names the agent', async () => {
    const file = agentsFile([
      {
        agentId: AGENT_ID,
        name: 'Ada from Acme',
        instructions: 'You are Ada, the Acme returns specialist.',
        personality: 'Warm, brief, a little playful.',
        greeting: 'Hi, I am Ada — how can I help with your return?',
      },
    ]);
    harness = await startHarness([{ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' }], { config: { agentsFile: file } });
    const { client, sessionId } = await harness.session();
    const snapshot = await client.request({ action: 'get_session', requestId: 'g', sessionId });
    expect(at(snapshot, 'data.agentName')).toBe('Ada from Acme');
    await turn(harness, sessionId, 'hello');
    await turn(harness, sessionId, 'again');
    const [first, second] = harness.gateway.requests.map(systemOf);
    expect(first).toBe(
      'You are Ada, the Acme returns specialist.\n\n<Personality>\nWarm, brief, a little playful.\n</Personality>\n\n' +
        first!.slice(first!.indexOf('<GreetingAwareness>')),
    );
    expect(first).toContain('<GreetingAwareness>');
    expect(first).toContain('Hi, I am Ada — how can I help with your return?');
    expect(second).toBe('You are Ada, the Acme returns specialist.\n\n<Personality>\nWarm, brief, a little playful.\n</Personality>');
    expect(first).not.toContain(DEFAULT_SYSTEM_PROMPT);
  });

  it('answers create_conversation_session with the configured name as agentName, the default name otherwise', async () => {
    harness = await startHarness([], { config: { agentsFile: agentsFile([{ agentId: AGENT_ID, name: 'Ada' }]) } });
    const client = await harness.connect();
    const named = await client.request({ action: 'create_conversation_session', requestId: 'a', agentId: AGENT_ID });
    expect(at(named, 'data.agentName')).toBe('Ada');
    const other = await client.request({ action: 'create_conversation_session', requestId: 'b', agentId: '22222222-2222-2222-2222-222222222222' });
    expect(at(other, 'data.agentName')).toBe('smooth-agent');
    expect(client.schemaViolations).toEqual([]);
  });

  it('without agent instructions falls back to the org persona, then to the default prompt; the greeting still applies', async () => {
    const settings = new MemorySettingsStore();
    harness = await startHarness([{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }], {
      settings,
      config: { agentsFile: agentsFile([{ agentId: AGENT_ID, greeting: 'Welcome!' }]) },
    });
    const { sessionId } = await harness.session();
    await turn(harness, sessionId, 'hi');
    const first = systemOf(harness.gateway.requests[0]);
    expect(first.startsWith(`${DEFAULT_SYSTEM_PROMPT}\n\n<GreetingAwareness>`)).toBe(true);

    await settings.put({ organizationId: defaultConfig().defaultOrgId, persona: 'Speak like a pirate.', defaultTools: [], updatedAt: null });
    await turn(harness, sessionId, 'again');
    expect(systemOf(harness.gateway.requests[1])).toBe(`${DEFAULT_SYSTEM_PROMPT}\n\n<Personality>\nSpeak like a pirate.\n</Personality>`);
  });

  it('applies an agent change on the next turn, and the agent model is the default that a per-turn model still overrides', async () => {
    const agents = new MemoryAgentStore();
    harness = await startHarness([{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }, { kind: 'text', text: 'c' }], { agents });
    const { sessionId } = await harness.session();
    await turn(harness, sessionId, 'before');
    await agents.put({ agentId: AGENT_ID, organizationId: defaultConfig().defaultOrgId, visibility: 'public', instructions: 'Changed.', model: 'agent-model' });
    await turn(harness, sessionId, 'after');
    await turn(harness, sessionId, 'override', { model: 'turn-model' });
    const [before, after, override] = harness.gateway.requests;
    expect(before!.body.model).toBe(defaultConfig().model);
    expect(systemOf(before)).toBe(DEFAULT_SYSTEM_PROMPT);
    expect(after!.body.model).toBe('agent-model');
    expect(systemOf(after)).toBe('Changed.');
    expect(override!.body.model).toBe('turn-model');
  });

  it('keeps another organization’s agent of the same id out of the session', async () => {
    harness = await startHarness([{ kind: 'text', text: 'a' }], {
      config: { agentsFile: agentsFile([{ agentId: AGENT_ID, organizationId: 'someone-else', name: 'Theirs', instructions: 'Their secret prompt.' }]) },
    });
    const { client, sessionId } = await harness.session();
    expect(at(await client.request({ action: 'get_session', requestId: 'g', sessionId }), 'data.agentName')).toBe('smooth-agent');
    await turn(harness, sessionId, 'hi');
    expect(systemOf(harness.gateway.requests[0])).toBe(DEFAULT_SYSTEM_PROMPT);
  });
});

describe('agent tool allow-list and per-tool config', () => {
  async function withTools(agent: Record<string, unknown>, script: ScriptStep[]) {
    const tools = await startToolServer((_path, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('order 42: shipped'));
    closers.push(tools.close);
    const dir = mkdtempSync(join(tmpdir(), 'so-agent-tools-'));
    const toolsFile = join(dir, 'tools.json');
    const hook = (name: string) => ({ name, description: `${name} tool`, parameters: { type: 'object', properties: {} }, url: `${tools.url}/${name}` });
    writeFileSync(toolsFile, JSON.stringify([hook('lookup_order'), hook('cancel_order')]));
    harness = await startHarness(script, { config: { toolsFile, agentsFile: agentsFile([{ agentId: AGENT_ID, ...agent }]) } });
    return tools;
  }

  it('offers only enabled tools, built-in and webhook alike, and sends a tool its config as context.toolConfig', async () => {
    const tools = await withTools(
      {
        toolConfig: {
          enabledTools: [
            { toolId: 'lookup_order', config: { region: 'eu', apiVersion: 3 } },
            { toolId: 'cancel_order', enabled: false },
            { toolId: 'knowledge_search', enabled: false },
          ],
        },
      },
      [{ kind: 'toolCall', name: 'lookup_order', arguments: '{"id":"42"}' }, { kind: 'text', text: 'It shipped.' }],
    );
    const { sessionId } = await harness!.session();
    await turn(harness!, sessionId, 'where is 42?');
    expect(toolNamesOf(harness!.gateway.requests[0])).toEqual(['lookup_order']);
    expect(tools.calls).toHaveLength(1);
    expect(tools.calls[0]!.body).toMatchObject({ tool: 'lookup_order', arguments: { id: '42' }, context: { sessionId, toolConfig: { region: 'eu', apiVersion: 3 } } });
  });

  it('offers no tool when every listed tool is disabled, every tool when the list is empty, and no config to a tool without one', async () => {
    await withTools({ toolConfig: { enabledTools: [{ toolId: 'lookup_order', enabled: false }] } }, [{ kind: 'text', text: 'none' }]);
    const { sessionId } = await harness!.session();
    await turn(harness!, sessionId, 'x');
    expect(harness!.gateway.requests[0]!.body.tools ?? []).toEqual([]);
    await harness!.close();
    harness = undefined;

    const tools = await withTools({ toolConfig: { enabledTools: [] } }, [
      { kind: 'toolCall', name: 'cancel_order', arguments: '{}' },
      { kind: 'text', text: 'done' },
    ]);
    const second = await harness!.session();
    await turn(harness!, second.sessionId, 'y');
    // An empty list restricts nothing: the webhook tools and every built-in are offered.
    expect(toolNamesOf(harness!.gateway.requests[0])).toEqual(expect.arrayContaining(['cancel_order', 'knowledge_search', 'lookup_order']));
    expect(Object.keys((tools.calls[0]!.body as { context: object }).context)).not.toContain('toolConfig');
  });
});

describe('SMOOTH_AGENT_AGENTS_FILE', () => {
  it('refuses a bad file at boot with a message naming the variable', async () => {
    const bad = agentsFile([{ agentId: AGENT_ID, conversationWorkflow: { goal: 'g', steps: [{ id: 'a', intent: 'i', criteria: 'c', next: 'nowhere' }] } }]);
    await expect(startHarness([], { config: { agentsFile: bad } })).rejects.toThrow(/SMOOTH_AGENT_AGENTS_FILE.*no step "nowhere"/);
    const dup = agentsFile([{ agentId: AGENT_ID }, { agentId: AGENT_ID }]);
    await expect(startHarness([], { config: { agentsFile: dup } })).rejects.toThrow(/SMOOTH_AGENT_AGENTS_FILE.*duplicate agent/);
    const notJson = join(mkdtempSync(join(tmpdir(), 'so-agents-')), 'a.json');
    writeFileSync(notJson, '[{"agentId": "x", "instructions": "sk-secret-in-file"');
    const err = await startHarness([], { config: { agentsFile: notJson } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/SMOOTH_AGENT_AGENTS_FILE.*not valid JSON/);
    expect(err?.message).not.toContain('sk-secret-in-file');
  });
});

const secret = 'agents-admin-secret-agents-admin-secret';
const sign = (sub: string, org: string, role: string) =>
  new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

describe('admin API /admin/agents', () => {
  async function api(method: string, path: string, token: string, body?: unknown) {
    const { status, body: reply } = await adminCall(harness!.server.httpUrl, method, path, token, body);
    return { status, body: reply };
  }

  it('lets admins write and curators read, per organization; another organization’s agent is a 404', async () => {
    harness = await startHarness([], { config: { authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 } } });
    const admin = await sign('admin-1', 'org-a', 'admin');
    const curator = await sign('cur-1', 'org-a', 'curator');
    const otherAdmin = await sign('admin-2', 'org-b', 'admin');
    const agent = {
      name: 'Ada',
      instructions: 'Be Ada.',
      conversationWorkflow: { goal: 'Refund', steps: [{ id: 'order', intent: 'get the order number', criteria: 'an order number is known' }, { id: 'done', intent: 'wrap up', criteria: 'customer is satisfied' }] },
      toolConfig: { enabledTools: [{ toolId: 'lookup_order', authLevel: 'end_user', config: { region: 'eu' } }] },
      documentSets: ['returns'],
      model: 'agent-model',
      suggestedQuestions: ['Where is my order?'],
    };
    expect((await api('PUT', `/admin/agents/${AGENT_ID}`, curator, agent)).status).toBe(403);
    const put = await api('PUT', `/admin/agents/${AGENT_ID}`, admin, agent);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      agent: {
        ...agent,
        agentId: AGENT_ID,
        organizationId: 'org-a',
        visibility: 'public',
        toolConfig: { enabledTools: [{ toolId: 'lookup_order', enabled: true, authLevel: 'end_user', config: { region: 'eu' } }] },
      },
    });
    expect(await api('GET', `/admin/agents/${AGENT_ID}`, curator)).toEqual({ status: 200, body: put.body });
    expect((await api('GET', '/admin/agents', curator)).body).toEqual({ agents: [put.body!.agent] });

    // The same id in another organization is nobody's: not readable, not deletable, not listed.
    expect((await api('GET', `/admin/agents/${AGENT_ID}`, otherAdmin)).status).toBe(404);
    expect((await api('DELETE', `/admin/agents/${AGENT_ID}`, otherAdmin)).status).toBe(404);
    expect((await api('GET', '/admin/agents', otherAdmin)).body).toEqual({ agents: [] });
    const theirs = await api('PUT', `/admin/agents/${AGENT_ID}`, otherAdmin, { name: 'B' });
    expect(theirs.body).toMatchObject({ agent: { organizationId: 'org-b', name: 'B' } });
    expect((await api('GET', `/admin/agents/${AGENT_ID}`, curator)).body).toEqual(put.body);

    expect((await api('DELETE', `/admin/agents/${AGENT_ID}`, curator)).status).toBe(403);
    expect((await api('DELETE', `/admin/agents/${AGENT_ID}`, admin)).status).toBe(204);
    expect((await api('GET', `/admin/agents/${AGENT_ID}`, admin)).status).toBe(404);
    expect((await api('DELETE', `/admin/agents/${AGENT_ID}`, admin)).status).toBe(404);
    expect((await api('GET', `/admin/agents/${AGENT_ID}`, otherAdmin)).body).toMatchObject({ agent: { name: 'B' } });
  });

  it('rejects malformed agents with VALIDATION_ERROR and stores nothing', async () => {
    harness = await startHarness([], { config: { authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 } } });
    const admin = await sign('admin-1', 'org-a', 'admin');
    const bad: unknown[] = [
      { visibility: 'secret' },
      { toolConfig: { enabledTools: [{ toolId: 'x', authLevel: 'root' }] } },
      { conversationWorkflow: { goal: 'g', steps: [] } },
      { conversationWorkflow: { goal: 'g', steps: [{ id: 'a', intent: 'i', criteria: 'c' }, { id: 'a', intent: 'i', criteria: 'c' }] } },
      { conversationWorkflow: { goal: 'g', steps: [{ id: 'a', intent: 'i', criteria: 'c', next: 'b' }] } },
      { name: 42 },
      { documentSets: 'returns' },
      [],
    ];
    for (const body of bad) {
      const res = await api('PUT', `/admin/agents/${AGENT_ID}`, admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    }
    expect((await api('PUT', '/admin/agents/has%20space', admin, {})).status).toBe(404);
    expect((await api('GET', '/admin/agents', admin)).body).toEqual({ agents: [] });
  });
});

const pg = await createTestDatabase();
afterAll(async () => {
  if (!('unavailable' in pg)) await pg.drop();
});
whenAvailable('postgres', 'unavailable' in pg ? pg.unavailable : undefined, () => {
  describe('agents on postgres', () => {
    const extra: Harness[] = [];
    afterEach(async () => {
      for (const h of extra.splice(0)) await h.close();
    });
    it('an agent written through one replica’s admin API shapes the next turn on another', { timeout: 60_000 }, async () => {
      const config = { storage: 'postgres' as const, databaseUrl: (pg as TestDatabase).url, authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };
      const a = await startHarness([], { config }, {}, { respond: () => ({ kind: 'text', text: 'a' }) });
      extra.push(a);
      const b = await startHarness([], { config }, {}, { respond: () => ({ kind: 'text', text: 'b' }) });
      extra.push(b);
      const org = defaultConfig().defaultOrgId;
      const token = await sign('admin-1', org, 'admin');
      const put = await fetch(`${a.server.httpUrl}/admin/agents/${AGENT_ID}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Replicated', instructions: 'Written on replica A.' }),
      });
      expect(put.status).toBe(200);
      const client = await b.connect();
      const created = await client.request({ action: 'create_conversation_session', requestId: 'c', agentId: AGENT_ID });
      expect(at(created, 'data.agentName')).toBe('Replicated');
      client.send({ action: 'send_message', requestId: 'r', sessionId: at(created, 'data.sessionId'), message: 'hi' });
      await client.untilTerminal();
      expect(b.gateway.requests[0]!.body.messages[0]!.content).toBe('Written on replica A.');

      const del = await fetch(`${b.server.httpUrl}/admin/agents/${AGENT_ID}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(del.status).toBe(204);
      const onA = await a.connect();
      expect(at(await onA.request({ action: 'create_conversation_session', requestId: 'c2', agentId: AGENT_ID }), 'data.agentName')).toBe('smooth-agent');
    });
  });
});
