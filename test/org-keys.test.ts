import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/index.js';
import type { LlmProvider } from '../src/llm/index.js';
import { MapKeyResolver, redactKey, SingleKeyResolver, type GatewayKeyResolver } from '../src/llm/key-resolver.js';
import { loadGatewayKeysFile } from '../src/llm/key-resolver-file.js';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient } from './support/ws-client.js';

const secret = 'org-keys-secret-org-keys-secret-org-keys';
const jwtConfig: Partial<Config> = { authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 } };
const KEYS = { 'org-1': 'sk-org-one-0001', 'org-2': 'sk-org-two-0002' };
const FALLBACK = 'sk-fallback-0000';

function token(sub: string, org: string): Promise<string> {
  return new SignJWT({ org, role: 'basic' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));
}

async function keysFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'org-keys-'));
  const path = join(dir, 'keys.json');
  await writeFile(path, content);
  return path;
}

let harness: Harness | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await harness?.close();
  harness = undefined;
});

async function connect(t?: string): Promise<TestClient> {
  const client = await TestClient.connect(`${harness!.server.wsUrl}${t ? `?token=${encodeURIComponent(t)}` : ''}`);
  clients.push(client);
  return client;
}

/** Creates a session on `client` and runs one turn to its terminal frame. */
async function turn(client: TestClient, label: string) {
  const created = await client.request({ action: 'create_conversation_session', requestId: `c-${label}` });
  const sessionId = (created.data as { sessionId: string }).sessionId;
  client.send({ action: 'send_message', requestId: `m-${label}`, sessionId, message: `hello from ${label}` });
  return (await client.untilTerminal()).at(-1);
}

describe('resolvers', () => {
  it('map resolver: the organization key, else the fallback; no prototype keys', async () => {
    const resolver = new MapKeyResolver(Object.entries(KEYS), FALLBACK);
    expect(await resolver.resolve('org-1')).toBe(KEYS['org-1']);
    expect(await resolver.resolve('org-3')).toBe(FALLBACK);
    expect(await resolver.resolve('constructor')).toBe(FALLBACK);
    expect(await new MapKeyResolver([], undefined).resolve('org-1')).toBeUndefined();
    expect(await new SingleKeyResolver('k').resolve()).toBe('k');
  });

  it('the keys file is validated at boot and its errors never contain a key', async () => {
    const resolver = await loadGatewayKeysFile(await keysFile(JSON.stringify(KEYS)), FALLBACK);
    expect(await resolver.resolve('org-2')).toBe(KEYS['org-2']);
    const failures = [
      await keysFile('{"org-1": "sk-org-one-0001",'),
      await keysFile(JSON.stringify(['sk-org-one-0001'])),
      await keysFile(JSON.stringify({ 'org-1': 42, 'org-2': 'sk-org-two-0002' })),
      await keysFile(JSON.stringify({ 'org-1': ' ' })),
      join(tmpdir(), 'no-such-dir-for-keys', 'keys.json'),
    ];
    for (const path of failures) {
      const err = await loadGatewayKeysFile(path, FALLBACK).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message, path).toMatch(/^SMOOTH_AGENT_GATEWAY_KEYS_FILE: /);
      expect(err?.message).not.toMatch(/sk-/);
    }
  });

  it('redactKey removes every occurrence of the key', () => {
    expect(redactKey('401: key sk-x rejected (sk-x)', 'sk-x')).toBe('401: key [redacted] rejected ([redacted])');
    expect(redactKey('nothing to hide', undefined)).toBe('nothing to hide');
  });
});

describe('per-organization gateway keys over the wire', () => {
  it("each organization's turn is sent with that organization's key; others use the fallback", async () => {
    harness = await startHarness(
      [
        { kind: 'text', text: 'one' },
        { kind: 'text', text: 'two' },
        { kind: 'text', text: 'anon' },
        { kind: 'text', text: 'three' },
      ],
      { config: jwtConfig },
      { apiKey: FALLBACK, keysFile: await keysFile(JSON.stringify(KEYS)) },
    );
    expect(await turn(await connect(await token('alice', 'org-1')), 'org-1')).toMatchObject({ type: 'eventual_response' });
    expect(await turn(await connect(await token('bob', 'org-2')), 'org-2')).toMatchObject({ type: 'eventual_response' });
    expect(await turn(await connect(), 'anonymous')).toMatchObject({ type: 'eventual_response' });
    expect(await turn(await connect(await token('carol', 'org-3')), 'org-3')).toMatchObject({ type: 'eventual_response' });

    const sent = harness.gateway.requests.map((r) => ({
      authorization: r.headers.authorization,
      user: r.body.messages.filter((m) => m.role === 'user').at(-1)?.content,
    }));
    expect(sent).toEqual([
      { authorization: `Bearer ${KEYS['org-1']}`, user: 'hello from org-1' },
      { authorization: `Bearer ${KEYS['org-2']}`, user: 'hello from org-2' },
      { authorization: `Bearer ${FALLBACK}`, user: 'hello from anonymous' },
      { authorization: `Bearer ${FALLBACK}`, user: 'hello from org-3' },
    ]);
  });

  it('an organization without a key and no fallback: LLM_UNAVAILABLE under SMOOTH_AGENT_REQUIRE_LLM, no 202', async () => {
    harness = await startHarness(
      [{ kind: 'text', text: 'one' }],
      { config: { ...jwtConfig, requireLlm: true } },
      { apiKey: undefined, keysFile: await keysFile(JSON.stringify(KEYS)) },
    );
    const stranger = await connect(await token('dave', 'org-9'));
    const created = await stranger.request({ action: 'create_conversation_session', requestId: 'c' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    const answer = await stranger.request({ action: 'send_message', requestId: 'm', sessionId, message: 'hi' });
    expect(answer).toMatchObject({ type: 'error', error: { code: 'LLM_UNAVAILABLE' } });
    expect(await turn(await connect(await token('alice', 'org-1')), 'org-1')).toMatchObject({ type: 'eventual_response' });
    expect(harness.gateway.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEYS['org-1']}`]);
  });

  it('keys never reach the client: a failing resolver and an upstream error quoting the key', async () => {
    const failing: GatewayKeyResolver = { resolve: () => Promise.reject(new Error(`vault said no for ${KEYS['org-1']}`)) };
    harness = await startHarness([], { config: jwtConfig, gatewayKeys: failing });
    const alice = await connect(await token('alice', 'org-1'));
    const created = await alice.request({ action: 'create_conversation_session', requestId: 'c' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    const refused = await alice.request({ action: 'send_message', requestId: 'm', sessionId, message: 'hi' });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'LLM_UNAVAILABLE' } });
    expect(JSON.stringify(refused)).not.toContain('sk-');
    await harness.close();

    const leaky: LlmProvider = { complete: (request) => Promise.reject(new Error(`upstream rejected key ${request.apiKey}`)) };
    harness = await startHarness([], { config: jwtConfig, llm: leaky, gatewayKeys: new MapKeyResolver(Object.entries(KEYS), undefined) });
    const bob = await connect(await token('bob', 'org-2'));
    const terminal = await turn(bob, 'leak');
    // Not an LlmError: an internal fault, so the client gets the stable message and no detail at all.
    expect(terminal).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR', message: expect.stringMatching(/^agent turn failed: an internal error occurred/) } });
    expect(JSON.stringify(bob.frames)).not.toContain(KEYS['org-2']);
  });
});
