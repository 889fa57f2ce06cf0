import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NATS_TEST_URL, probeNats, probeRedis, REDIS_TEST_URL } from './backplane-services.js';
import { assertBuilt, runCli, spawnServe, type ServeProcess } from './restart-cli.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';
import { TestClient } from './support/ws-client.js';

/**
 * Scaling out, end to end: two real `smooth-operator serve` processes sharing one Postgres and one
 * bus. A visitor is on B; an operator publishes through A's admin API; the visitor must get it.
 */
const secret = 'backplane-e2e-secret-backplane-e2e-secret';
const sign = (sub: string, org: string, role: string) =>
  new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

const running: ServeProcess[] = [];
const clients: TestClient[] = [];
const databases: TestDatabase[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
});
afterAll(async () => {
  for (const db of databases) await db.drop();
});

async function serve(env: Record<string, string>): Promise<ServeProcess> {
  const p = await spawnServe(env);
  running.push(p);
  return p;
}

const httpBase = (p: ServeProcess) => p.wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '');

async function publish(p: ServeProcess, token: string, target: { type: string; id: string }, event: Record<string, unknown>) {
  const res = await fetch(`${httpBase(p)}/admin/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ target, event }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function visitor(p: ServeProcess, token: string): Promise<{ client: TestClient; sessionId: string }> {
  const client = await TestClient.connect(`${p.wsUrl}?token=${token}`);
  clients.push(client);
  const created = await client.request({ action: 'create_conversation_session', requestId: 'create' });
  return { client, sessionId: (created.data as { sessionId: string }).sessionId };
}

function scaleOutSuite(bus: 'redis' | 'nats', url: string, databaseUrl: () => string): void {
  describe(`two serve processes on one Postgres and a ${bus} backplane`, () => {
    const env = () => ({
      SMOOTH_AGENT_STORAGE: 'postgres',
      SMOOTH_AGENT_DATABASE_URL: databaseUrl(),
      AUTH_MODE: 'jwt',
      AUTH_JWT_HS256_SECRET: secret,
      SMOOTH_AGENT_BACKPLANE: bus,
      SMOOTH_AGENT_BACKPLANE_URL: url,
    });

    it("an admin publish on A reaches the visitor's socket on B, by session, user and org", { timeout: 60_000 }, async () => {
      const org = `org-${bus}-${Date.now()}`;
      const [a, b] = await Promise.all([serve(env()), serve(env())]);
      const { client, sessionId } = await visitor(b, await sign('visitor-1', org, 'basic'));
      const admin = await sign('operator', org, 'admin');
      const outsider = await sign('intruder', 'another-org', 'admin');

      // Nobody is connected to A: its count is 0, and B delivers.
      expect(await publish(a, admin, { type: 'session', id: sessionId }, { type: 'notice', text: 'by session' })).toEqual({ status: 200, body: { delivered: 0 } });
      expect(await client.next((f) => f.type === 'notice')).toMatchObject({ type: 'notice', text: 'by session', timestamp: expect.any(Number) });

      // Another organization's admin reaches nobody, even knowing the session id and the user id.
      expect(await publish(a, outsider, { type: 'session', id: sessionId }, { type: 'notice', text: 'intruder' })).toMatchObject({ body: { delivered: 0 } });
      expect(await publish(a, outsider, { type: 'user', id: 'visitor-1' }, { type: 'notice', text: 'intruder' })).toMatchObject({ body: { delivered: 0 } });

      // The org-scoped user id crosses the bus intact; so does the org target.
      await publish(a, admin, { type: 'user', id: 'visitor-1' }, { type: 'notice', text: 'by user' });
      expect(await client.next((f) => f.type === 'notice')).toMatchObject({ text: 'by user' });
      await publish(a, admin, { type: 'org', id: org }, { type: 'notice', text: 'by org' });
      expect(await client.next((f) => f.type === 'notice')).toMatchObject({ text: 'by org' });
      // Had the intruder's events arrived, they would have come before these.
      expect(client.frames.filter((f) => f.type === 'notice').map((f) => f.text)).toEqual(['by session', 'by user', 'by org']);

      // A graceful stop closes the bus connection too: both processes exit 0, promptly.
      await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
      expect([a.child.exitCode, b.child.exitCode]).toEqual([0, 0]);
    });
  });
}

describe('backplane boot errors', () => {
  it('an unknown SMOOTH_AGENT_BACKPLANE stops the boot naming the variable', async () => {
    const result = await runCli(['serve'], { SMOOTH_AGENT_BACKPLANE: 'kafka' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SMOOTH_AGENT_BACKPLANE: unknown backplane "kafka"');
  });

  it('redis without a URL stops the boot', async () => {
    const result = await runCli(['serve'], { SMOOTH_AGENT_BACKPLANE: 'redis' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SMOOTH_AGENT_BACKPLANE_URL or SMOOTH_AGENT_REDIS_URL');
  });

  it('an unreachable bus stops the boot with a clear message and no password', async () => {
    const result = await runCli(['serve'], { SMOOTH_AGENT_BACKPLANE: 'redis', SMOOTH_AGENT_REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('smooth-operator: backplane unavailable: cannot connect to redis at redis://:***@127.0.0.1:1');
    expect(result.stderr).toContain('SMOOTH_AGENT_REDIS_URL');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stdout).toBe('');
  });
});

const db = await createTestDatabase();
const pgDown = 'unavailable' in db ? db.unavailable : undefined;
if (!pgDown) databases.push(db as TestDatabase);
const databaseUrl = () => (db as TestDatabase).url;
const [redisDown, natsDown] = await Promise.all([probeRedis(), probeNats()]);

whenAvailable(`Postgres + Redis (${REDIS_TEST_URL}) for the scale-out test`, pgDown ?? redisDown, () => scaleOutSuite('redis', REDIS_TEST_URL, databaseUrl));
whenAvailable(`Postgres + NATS (${NATS_TEST_URL}) for the scale-out test`, pgDown ?? natsDown, () => scaleOutSuite('nats', NATS_TEST_URL, databaseUrl));
