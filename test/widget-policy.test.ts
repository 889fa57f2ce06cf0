import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signAuthContext, verifyAuthContext } from '../src/auth/widget-auth-context.js';
import { originAllowed, originMatches } from '../src/auth/widget-origin.js';
import { HttpWidgetPolicies } from '../src/auth/widget-policy-http.js';
import { loadWidgetPolicyFile } from '../src/auth/widget-policy-file.js';
import { ConfigError, loadConfig, type Config } from '../src/config/index.js';
import { MemoryStorage } from '../src/storage/index.js';
import { startHarness, type Harness } from './support/harness.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

const AGENT_OPEN = '00000000-0000-4000-8000-000000000001'; // allowed_origins ["*"], no org
const AGENT_SHOP = '00000000-0000-4000-8000-000000000002'; // exact + wildcard origins, key, org "org-shop"
const AGENT_CLOSED = '00000000-0000-4000-8000-000000000003'; // allowed_origins []
const AGENT_UNKNOWN = '00000000-0000-4000-8000-00000000000f'; // no policy
const SHOP_KEY = 'shop-signing-key';
const SHOP_ORIGIN = 'https://shop.example.com';

const POLICIES = {
  [AGENT_OPEN]: { allowed_origins: ['*'] },
  [AGENT_SHOP]: { allowed_origins: [SHOP_ORIGIN, 'https://*.example.org'], public_key: SHOP_KEY, organization_id: 'org-shop' },
  [AGENT_CLOSED]: { allowed_origins: [], public_key: 'k', organization_id: 'org-closed' },
};

let policyFile: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'widget-policy-'));
  policyFile = join(dir, 'widgets.json');
  await writeFile(policyFile, JSON.stringify(POLICIES));
});

const nowSecs = () => Math.floor(Date.now() / 1000);
const secret = 'widget-test-secret-widget-test-secret';
const jwt = (sub: string, org: string) =>
  new SignJWT({ org, role: 'basic' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

function widgetConfig(widgetAuth: Partial<Config['widgetAuth']>, extra: Partial<Config> = {}): Partial<Config> {
  return { widgetAuth: { ttlSecs: 60, strict: false, ...widgetAuth }, authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 }, ...extra };
}

type Frame = Record<string, unknown> & { type: string };

/** A visitor's browser: a WebSocket with a chosen Origin header (ws sends none unless told). */
interface Visitor {
  request(frame: Record<string, unknown>): Promise<Frame>;
  close(): void;
}

const sockets: WebSocket[] = [];

async function visit(h: Harness, origin?: string, token?: string): Promise<Visitor> {
  const url = `${h.server.wsUrl}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const ws = new WebSocket(url, origin === undefined ? {} : { origin });
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    request(frame) {
      return new Promise<Frame>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(frame)}`)), 5000);
        const onMessage = (data: Buffer) => {
          const parsed = JSON.parse(data.toString()) as Frame;
          if (parsed.requestId !== frame.requestId) return;
          clearTimeout(timer);
          ws.off('message', onMessage);
          resolve(parsed);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify(frame));
      });
    },
    close: () => ws.close(),
  };
}

const create = (agentId: string, extra: Record<string, unknown> = {}) => ({ action: 'create_conversation_session', requestId: 'c', agentId, ...extra });
const sessionIdOf = (f: Frame) => (f.data as { sessionId: string }).sessionId;

let harness: Harness | undefined;
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await harness?.close();
  harness = undefined;
});

// ---------------------------------------------------------------------------------------------
// Pure rules

describe('origin matching', () => {
  it.each([
    ['*', '', true],
    ['*', 'https://anything.test', true],
    [SHOP_ORIGIN, SHOP_ORIGIN, true],
    [SHOP_ORIGIN, 'http://shop.example.com', false],
    [SHOP_ORIGIN, 'https://shop.example.com:8443', false],
    ['https://*.example.org', 'https://example.org', true],
    ['https://*.example.org', 'https://a.example.org', true],
    ['https://*.example.org', 'https://a.b.example.org', true],
    ['https://*.example.org', 'http://a.example.org', false],
    ['https://*.example.org', 'https://badexample.org', false],
    ['https://*.example.org', 'https://evil.test/.example.org', false],
    ['https://*.example.org', 'https://evil.test?.example.org', false],
    ['https://*.example.org', '', false],
    ['https://a.*.example.org', 'https://a.b.example.org', false],
    ['https://*.', 'https://x.', false],
  ])('pattern %j vs origin %j → %s', (pattern, origin, expected) => {
    expect(originMatches(origin, pattern)).toBe(expected);
  });

  it('an empty allowlist denies everything, even a missing origin', () => {
    expect(originAllowed('', [])).toBe(false);
    expect(originAllowed(SHOP_ORIGIN, [])).toBe(false);
    expect(originAllowed(SHOP_ORIGIN, ['https://other.test', SHOP_ORIGIN])).toBe(true);
  });
});

describe('authContext verification', () => {
  const now = 1_700_000_000;
  const good = signAuthContext(SHOP_KEY, 'user-42', now);

  it('accepts the HMAC-SHA256 of "{userId}:{timestamp}" in hex of either case, within ±60 s', () => {
    expect(good.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAuthContext(good, SHOP_KEY, now)).toBe(true);
    expect(verifyAuthContext({ ...good, signature: good.signature.toUpperCase() }, SHOP_KEY, now)).toBe(true);
    expect(verifyAuthContext(good, SHOP_KEY, now + 60)).toBe(true);
    expect(verifyAuthContext(good, SHOP_KEY, now - 60)).toBe(true);
  });

  it.each<[string, unknown, string | undefined, number]>([
    ['too old', good, SHOP_KEY, now + 61],
    ['from the future', good, SHOP_KEY, now - 61],
    ['wrong key', good, 'another-key', now],
    ['no public key on the policy', good, undefined, now],
    ['other user', { ...good, userId: 'user-43' }, SHOP_KEY, now],
    ['timestamp as a string', { ...good, timestamp: String(now) }, SHOP_KEY, now],
    ['fractional timestamp', { ...good, timestamp: now + 0.5 }, SHOP_KEY, now],
    ['non-hex signature', { ...good, signature: 'zz'.repeat(32) }, SHOP_KEY, now],
    ['odd-length hex', { ...good, signature: good.signature.slice(1) }, SHOP_KEY, now],
    ['truncated signature', { ...good, signature: good.signature.slice(0, 62) }, SHOP_KEY, now],
    ['missing userId', { signature: good.signature, timestamp: now }, SHOP_KEY, now],
    ['null', null, SHOP_KEY, now],
    ['an array', [good], SHOP_KEY, now],
  ])('refuses %s', (_name, value, key, at) => {
    expect(verifyAuthContext(value, key, at)).toBe(false);
  });

  it('the message is "{userId}:{timestamp}", not the concatenation', () => {
    const withoutColon = createHmac('sha256', SHOP_KEY).update(`user-42${now}`).digest('hex');
    expect(verifyAuthContext({ userId: 'user-42', timestamp: now, signature: withoutColon }, SHOP_KEY, now)).toBe(false);
  });
});

describe('policy sources in configuration', () => {
  it('reads WIDGET_AUTH_* and refuses two sources at once', () => {
    const config = loadConfig({ WIDGET_AUTH_URL: 'http://policies.test/v1/', WIDGET_AUTH_BEARER: 'b', WIDGET_AUTH_TTL_SECS: '5', WIDGET_AUTH_STRICT: ' Yes ' });
    expect(config.widgetAuth).toEqual({ url: 'http://policies.test/v1', bearer: 'b', ttlSecs: 5, strict: true });
    expect(loadConfig({}).widgetAuth).toEqual({ ttlSecs: 60, strict: false });
    expect(() => loadConfig({ WIDGET_AUTH_URL: 'http://a.test', WIDGET_AUTH_FILE: '/x.json' })).toThrow(ConfigError);
    expect(() => loadConfig({ WIDGET_AUTH_URL: 'ftp://a.test' })).toThrow(/WIDGET_AUTH_URL/);
    expect(() => loadConfig({ WIDGET_AUTH_STRICT: 'maybe' })).toThrow(/WIDGET_AUTH_STRICT/);
  });

  it('a policy file is validated at boot without echoing its contents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'widget-bad-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"a": {"allowed_origins": ["*"], "public_key": "super-secret-key"');
    await expect(loadWidgetPolicyFile(broken)).rejects.toThrow(/WIDGET_AUTH_FILE: .* is not valid JSON/);
    await expect(loadWidgetPolicyFile(broken)).rejects.not.toThrow(/super-secret-key/);
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ agent: { allowed_origins: 'https://a.test', public_key: 'super-secret-key' } }));
    await expect(loadWidgetPolicyFile(wrong)).rejects.toThrow(/agent "agent".*allowed_origins/);
    await expect(loadWidgetPolicyFile(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    const policies = await loadWidgetPolicyFile(policyFile);
    expect(await policies.policyFor(AGENT_SHOP)).toEqual({ allowedOrigins: [SHOP_ORIGIN, 'https://*.example.org'], publicKey: SHOP_KEY, organizationId: 'org-shop' });
    expect(await policies.policyFor('constructor')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// A stand-in policy service

interface PolicyService {
  url: string;
  /** Every request: the path as received and the authorization header. */
  requests: Array<{ path: string; authorization: string | undefined }>;
  /** What the service answers next, per agentId (default 404). */
  answers: Map<string, { status: number; body?: string }>;
  close(): Promise<void>;
}

async function startPolicyService(): Promise<PolicyService> {
  const requests: PolicyService['requests'] = [];
  const answers: PolicyService['answers'] = new Map();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push({ path, authorization: req.headers.authorization });
    const agentId = decodeURIComponent(path.replace(/^\/policies\//, ''));
    const answer = answers.get(agentId) ?? { status: 404 };
    if (answer.status === 0) return; // hang: never answer
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/policies`,
    requests,
    answers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('HTTP policy service (unit, fake clock)', () => {
  let service: PolicyService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('caches 2xx and 404 for the TTL, never 5xx, bad bodies or timeouts; sends the bearer; encodes the agentId', async () => {
    service = await startPolicyService();
    let clock = 0;
    const failures: string[] = [];
    const policies = new HttpWidgetPolicies({
      url: service.url,
      bearer: 'svc-bearer',
      ttlMs: 60_000,
      timeoutMs: 300,
      now: () => clock,
      onLookupFailed: (agentId, reason) => failures.push(`${agentId}: ${reason}`),
    });
    const hits = (agentId: string) => service!.requests.filter((r) => r.path === `/policies/${encodeURIComponent(agentId)}`).length;

    // 2xx: cached until the TTL passes, then asked again.
    service.answers.set('a', { status: 200, body: JSON.stringify({ allowed_origins: ['*'], organization_id: 'org-a' }) });
    expect(await policies.policyFor('a')).toEqual({ allowedOrigins: ['*'], organizationId: 'org-a' });
    clock += 59_999;
    expect(await policies.policyFor('a')).toEqual({ allowedOrigins: ['*'], organizationId: 'org-a' });
    expect(hits('a')).toBe(1);
    service.answers.set('a', { status: 200, body: JSON.stringify({ allowed_origins: [] }) });
    clock += 1;
    expect(await policies.policyFor('a')).toEqual({ allowedOrigins: [] });
    expect(hits('a')).toBe(2);
    expect(service.requests[0]?.authorization).toBe('Bearer svc-bearer');

    // 404: "no policy", cached too.
    expect(await policies.policyFor('gone')).toBeUndefined();
    expect(await policies.policyFor('gone')).toBeUndefined();
    expect(hits('gone')).toBe(1);
    clock += 60_000;
    expect(await policies.policyFor('gone')).toBeUndefined();
    expect(hits('gone')).toBe(2);

    // 5xx, malformed JSON, a body of the wrong shape, a timeout: "no policy", not cached.
    for (const [agentId, answer] of [
      ['down', { status: 503 }],
      ['junk', { status: 200, body: 'not json' }],
      ['shape', { status: 200, body: JSON.stringify({ allowed_origins: 'https://a.test' }) }],
      ['slow', { status: 0 }],
    ] as const) {
      service.answers.set(agentId, answer);
      expect(await policies.policyFor(agentId)).toBeUndefined();
      expect(await policies.policyFor(agentId)).toBeUndefined();
      expect(hits(agentId), agentId).toBe(2);
    }
    expect(failures.join('\n')).toMatch(/down: policy service answered 503/);
    expect(failures.join('\n')).toMatch(/junk: policy service body is not JSON/);
    expect(failures.join('\n')).toMatch(/shape: policy service body is invalid/);
    expect(failures.join('\n')).toMatch(/slow: policy service unreachable/);
    expect(failures.join('\n')).not.toContain('svc-bearer');

    // A recovered service is used at once, since the failure was not remembered.
    service.answers.set('down', { status: 200, body: JSON.stringify({ allowed_origins: ['*'] }) });
    expect(await policies.policyFor('down')).toEqual({ allowedOrigins: ['*'] });

    // The agentId is one percent-encoded path segment; dot segments are never sent.
    expect(await policies.policyFor('a/b c?d')).toBeUndefined();
    expect(service.requests.at(-1)?.path).toBe('/policies/a%2Fb%20c%3Fd');
    const before = service.requests.length;
    expect(await policies.policyFor('..')).toBeUndefined();
    expect(service.requests.length).toBe(before);
  });

  it('concurrent lookups of one agent share a request', async () => {
    service = await startPolicyService();
    service.answers.set('x', { status: 200, body: JSON.stringify({ allowed_origins: ['*'] }) });
    const policies = new HttpWidgetPolicies({ url: service.url, ttlMs: 60_000 });
    const all = await Promise.all([policies.policyFor('x'), policies.policyFor('x'), policies.policyFor('x')]);
    expect(all).toEqual([{ allowedOrigins: ['*'] }, { allowedOrigins: ['*'] }, { allowedOrigins: ['*'] }]);
    expect(service.requests).toHaveLength(1);
  });

  it('keeps at most maxEntries agents cached', async () => {
    service = await startPolicyService();
    const policies = new HttpWidgetPolicies({ url: service.url, ttlMs: 60_000, maxEntries: 2 });
    for (const id of ['p', 'q', 'r']) await policies.policyFor(id);
    await policies.policyFor('r');
    await policies.policyFor('p'); // evicted as the oldest: asked again
    expect(service.requests.map((r) => r.path)).toEqual(['/policies/p', '/policies/q', '/policies/r', '/policies/p']);
  });
});

// ---------------------------------------------------------------------------------------------
// Enforcement at create_conversation_session, over real WebSockets

describe('enforcement at create_conversation_session (WIDGET_AUTH_FILE)', () => {
  it('an agent without a policy is allowed when not strict, refused when strict', async () => {
    harness = await startHarness([], { config: widgetConfig({ file: policyFile }) });
    const v = await visit(harness, 'https://anywhere.test');
    expect(await v.request(create(AGENT_UNKNOWN))).toMatchObject({ type: 'immediate_response', status: 200, message: 'Session created' });
    // No policy: authContext is not even looked at.
    expect(await v.request(create(AGENT_UNKNOWN, { authContext: { userId: 'u', signature: 'nope', timestamp: 'x' } }))).toMatchObject({ status: 200 });
    await harness.close();

    const storage = new MemoryStorage();
    let conversationsCreated = 0;
    const createConversation = storage.createConversation.bind(storage);
    storage.createConversation = (conversation) => {
      conversationsCreated++;
      return createConversation(conversation);
    };
    harness = await startHarness([], { storage, config: widgetConfig({ file: policyFile, strict: true }) });
    const strict = await visit(harness, 'https://anywhere.test');
    expect(await strict.request(create(AGENT_UNKNOWN))).toMatchObject({
      type: 'error',
      requestId: 'c',
      error: { code: 'AGENT_NOT_AUTHORIZED', message: 'this agent is not registered for embedding' },
    });
    // A create without an agentId gets a random one, which has no policy either.
    expect(await strict.request({ action: 'create_conversation_session', requestId: 'c' })).toMatchObject({ error: { code: 'AGENT_NOT_AUTHORIZED' } });
    // Agents with a policy still work under strict mode.
    expect(await strict.request(create(AGENT_OPEN))).toMatchObject({ status: 200 });
    // The refused attempts wrote nothing.
    expect(conversationsCreated).toBe(1);
  });

  it('the Origin must be on the allowlist: "*", exact, scheme://*.suffix; empty denies; missing is ""', async () => {
    harness = await startHarness([], { config: widgetConfig({ file: policyFile }) });
    const denied = { type: 'error', error: { code: 'ORIGIN_NOT_ALLOWED', message: 'this origin is not allowed to embed this agent' } };
    const cases: Array<[string, string | undefined, boolean]> = [
      [AGENT_OPEN, undefined, true],
      [AGENT_OPEN, 'https://anything.test', true],
      [AGENT_SHOP, SHOP_ORIGIN, true],
      [AGENT_SHOP, 'https://help.example.org', true],
      [AGENT_SHOP, 'https://example.org', true],
      [AGENT_SHOP, 'http://help.example.org', false],
      [AGENT_SHOP, 'https://evil.test', false],
      [AGENT_SHOP, undefined, false],
      [AGENT_CLOSED, SHOP_ORIGIN, false],
      [AGENT_CLOSED, undefined, false],
    ];
    for (const [agentId, origin, allowed] of cases) {
      const v = await visit(harness, origin);
      const answer = await v.request(create(agentId));
      expect(answer, `${agentId} from ${origin ?? '(no Origin)'}`).toMatchObject(allowed ? { type: 'immediate_response', status: 200 } : denied);
      v.close();
    }
  });

  it('an authContext, when present, must verify; the origin is checked first', async () => {
    harness = await startHarness([], { config: widgetConfig({ file: policyFile }) });
    const v = await visit(harness, SHOP_ORIGIN);
    const invalid = { type: 'error', error: { code: 'AUTH_CONTEXT_INVALID', message: 'authContext signature failed verification' } };
    expect(await v.request(create(AGENT_SHOP, { authContext: signAuthContext(SHOP_KEY, 'u-1', nowSecs()) }))).toMatchObject({ status: 200 });
    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ status: 200 });
    for (const authContext of [
      signAuthContext('wrong-key', 'u-1', nowSecs()),
      signAuthContext(SHOP_KEY, 'u-1', nowSecs() - 120),
      signAuthContext(SHOP_KEY, 'u-1', nowSecs() + 120),
      { ...signAuthContext(SHOP_KEY, 'u-1', nowSecs()), userId: 'u-2' },
      { ...signAuthContext(SHOP_KEY, 'u-1', nowSecs()), timestamp: String(nowSecs()) },
      { userId: 'u-1' },
      'a string',
      null,
    ]) {
      expect(await v.request(create(AGENT_SHOP, { authContext })), JSON.stringify(authContext)).toMatchObject(invalid);
    }
    // A policy without a public key cannot verify any authContext.
    const open = await visit(harness, 'https://x.test');
    expect(await open.request(create(AGENT_OPEN, { authContext: signAuthContext(SHOP_KEY, 'u', nowSecs()) }))).toMatchObject(invalid);
    // Order: a bad origin wins over a bad authContext.
    const stranger = await visit(harness, 'https://evil.test');
    expect(await stranger.request(create(AGENT_SHOP, { authContext: { bogus: true } }))).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
  });
});

describe('session organization and later access', () => {
  async function orgOf(storage: MemoryStorage, frame: Frame): Promise<string | undefined> {
    return (await storage.getSession(sessionIdOf(frame)))?.organizationId;
  }

  it('widget organization first, then the token organization, then the default', async () => {
    const storage = new MemoryStorage();
    harness = await startHarness([], { storage, config: widgetConfig({ file: policyFile }) });
    const tokenUser = await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-token'));
    const anonymous = await visit(harness, SHOP_ORIGIN);

    const viaWidgetWithToken = await tokenUser.request(create(AGENT_SHOP));
    expect(await orgOf(storage, viaWidgetWithToken)).toBe('org-shop');
    // A token of another organization is a visitor inside the widget's: no user id carried over.
    expect((await storage.getSession(sessionIdOf(viaWidgetWithToken)))?.owner).toEqual({ organizationId: 'org-shop' });
    expect(await orgOf(storage, await tokenUser.request(create(AGENT_OPEN)))).toBe('org-token');
    expect(await orgOf(storage, await tokenUser.request(create(AGENT_UNKNOWN)))).toBe('org-token');
    expect(await orgOf(storage, await anonymous.request(create(AGENT_SHOP)))).toBe('org-shop');
    expect(await orgOf(storage, await anonymous.request(create(AGENT_OPEN)))).toBe('default');
  });

  it('a widget session stays reachable from an allowed origin of the same policy, and only there', async () => {
    harness = await startHarness([{ kind: 'text', text: 'hi from the shop' }], { config: widgetConfig({ file: policyFile }) });
    const first = await visit(harness, SHOP_ORIGIN);
    const sessionId = sessionIdOf(await first.request(create(AGENT_SHOP)));
    const get = { action: 'get_session', requestId: 'g', sessionId };
    // Same connection, then a reconnect from the same page and from another allowed origin.
    expect(await first.request(get)).toMatchObject({ status: 200, data: { sessionId } });
    first.close();
    const again = await visit(harness, SHOP_ORIGIN);
    expect(await again.request(get)).toMatchObject({ status: 200 });
    const turn = await again.request({ action: 'send_message', requestId: 'm', sessionId, message: 'hello' });
    expect(turn).toMatchObject({ type: 'immediate_response', status: 202 });
    expect(await (await visit(harness, 'https://help.example.org')).request(get)).toMatchObject({ status: 200 });

    // Not from an origin the policy does not allow, nor without an Origin, nor as a signed-in member of another org.
    for (const [origin, token] of [
      ['https://evil.test', undefined],
      [undefined, undefined],
      ['https://evil.test', await jwt('mallory', 'org-other')],
    ] as const) {
      const stranger = await visit(harness, origin, token);
      expect(await stranger.request(get), `${origin} ${token ? 'with token' : ''}`).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    }
  });

  it("a widget session created by a signed-in member of the widget's organization stays that user's", async () => {
    harness = await startHarness([], { config: widgetConfig({ file: policyFile }) });
    const alice = await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-shop'));
    const sessionId = sessionIdOf(await alice.request(create(AGENT_SHOP)));
    const get = { action: 'get_session', requestId: 'g', sessionId };
    expect(await (await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-shop'))).request(get)).toMatchObject({ status: 200 });
    expect(await (await visit(harness, SHOP_ORIGIN)).request(get)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    expect(await (await visit(harness, SHOP_ORIGIN, await jwt('bob', 'org-shop'))).request(get)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    // The same `sub` in another organization is someone else.
    expect(await (await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-token'))).request(get)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });

  it('a widget session created with a token of another organization is a visitor session: its id is the key, members of the widget org are refused', async () => {
    harness = await startHarness([], { config: widgetConfig({ file: policyFile }) });
    const foreign = await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-token'));
    const sessionId = sessionIdOf(await foreign.request(create(AGENT_SHOP)));
    const get = { action: 'get_session', requestId: 'g', sessionId };
    expect(await foreign.request(get)).toMatchObject({ status: 200 });
    expect(await (await visit(harness, SHOP_ORIGIN)).request(get)).toMatchObject({ status: 200 });
    expect(await (await visit(harness, SHOP_ORIGIN, await jwt('alice', 'org-shop'))).request(get)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    expect(await (await visit(harness, 'https://evil.test', await jwt('alice', 'org-token'))).request(get)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });
});

describe('enforcement with the HTTP policy service (WIDGET_AUTH_URL)', () => {
  let service: PolicyService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('uses the service, caches 404s, and fails closed under strict mode while the service errors', async () => {
    service = await startPolicyService();
    service.answers.set(AGENT_SHOP, { status: 200, body: JSON.stringify(POLICIES[AGENT_SHOP]) });
    harness = await startHarness([], { config: widgetConfig({ url: service.url, bearer: 'svc-bearer', strict: true }) });
    const v = await visit(harness, SHOP_ORIGIN);
    const hits = (agentId: string) => service!.requests.filter((r) => r.path === `/policies/${agentId}`).length;

    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ status: 200 });
    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ status: 200 });
    expect(hits(AGENT_SHOP)).toBe(1);
    expect(service.requests[0]?.authorization).toBe('Bearer svc-bearer');
    expect(await (await visit(harness, 'https://evil.test')).request(create(AGENT_SHOP))).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });

    // 404 → no policy → refused under strict; remembered, so the service is asked once.
    expect(await v.request(create(AGENT_UNKNOWN))).toMatchObject({ error: { code: 'AGENT_NOT_AUTHORIZED' } });
    expect(await v.request(create(AGENT_UNKNOWN))).toMatchObject({ error: { code: 'AGENT_NOT_AUTHORIZED' } });
    expect(hits(AGENT_UNKNOWN)).toBe(1);

    // A failing service: refused (fail closed) and not remembered, so recovery is immediate.
    service.answers.set(AGENT_OPEN, { status: 503 });
    expect(await v.request(create(AGENT_OPEN))).toMatchObject({ error: { code: 'AGENT_NOT_AUTHORIZED' } });
    expect(await v.request(create(AGENT_OPEN))).toMatchObject({ error: { code: 'AGENT_NOT_AUTHORIZED' } });
    expect(hits(AGENT_OPEN)).toBe(2);
    service.answers.set(AGENT_OPEN, { status: 200, body: JSON.stringify(POLICIES[AGENT_OPEN]) });
    expect(await v.request(create(AGENT_OPEN))).toMatchObject({ status: 200 });
  });

  it('the policy TTL applies end to end', async () => {
    service = await startPolicyService();
    service.answers.set(AGENT_SHOP, { status: 200, body: JSON.stringify(POLICIES[AGENT_SHOP]) });
    harness = await startHarness([], { config: widgetConfig({ url: service.url, ttlSecs: 1 }) });
    const v = await visit(harness, SHOP_ORIGIN);
    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ status: 200 });
    // The owner removes this origin; the cached policy still admits it until the TTL passes.
    service.answers.set(AGENT_SHOP, { status: 200, body: JSON.stringify({ ...POLICIES[AGENT_SHOP], allowed_origins: ['https://new.example.com'] }) });
    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ status: 200 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await v.request(create(AGENT_SHOP))).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
    expect(service.requests).toHaveLength(2);
  });
});
