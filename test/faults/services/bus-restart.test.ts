import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NATS_TEST_URL, probeNats, probeRedis, REDIS_TEST_URL } from '../../backplane-services.js';
import { assertBuilt, spawnServe, type ServeProcess } from '../../restart-cli.js';
import { whenAvailable } from '../../storage-services.js';
import { TestClient } from '../../support/ws-client.js';
import { ensureServicesUp, startNats, startRedis, stopNats, stopRedis } from './service-control.js';

/**
 * The bus between replicas restarted under two live `serve` processes: neither crashes, /ready says
 * the backplane is out while it is, and cross-replica delivery resumes within 5 s of the bus being back.
 */
const secret = 'bus-restart-secret-bus-restart-secret';
const sign = (sub: string, org: string, role: string) =>
  new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));

const running: ServeProcess[] = [];
const clients: TestClient[] = [];
beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
});
afterAll(() => ensureServicesUp());

const httpBase = (p: ServeProcess) => p.wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '');

async function ready(p: ServeProcess): Promise<{ status: number; body: { checks?: { backplane?: string } } }> {
  const res = await fetch(`${httpBase(p)}/ready`);
  return { status: res.status, body: (await res.json()) as { checks?: { backplane?: string } } };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function busSuite(bus: 'redis' | 'nats', url: string, stop: () => Promise<void>, start: () => Promise<void>, unavailable: string | undefined): void {
  whenAvailable(bus, unavailable, () => {
      describe(`${bus} restarted under two serve processes`, () => {
        it('no crash, /ready reflects the outage, delivery resumes within 5 s', async () => {
          const env = {
            AUTH_MODE: 'jwt',
            AUTH_JWT_HS256_SECRET: secret,
            SMOOTH_AGENT_BACKPLANE: bus,
            SMOOTH_AGENT_BACKPLANE_URL: url,
            SMOOTH_AGENT_METRICS: '1',
          };
          const [a, b] = await Promise.all([spawnServe(env), spawnServe(env)]);
          running.push(a, b);
          const org = `org-${bus}-${Date.now()}`;
          const admin = await sign('operator', org, 'admin');
          const visitor = await TestClient.connect(`${b.wsUrl}?token=${await sign('visitor', org, 'basic')}`);
          clients.push(visitor);
          // Each process has its own memory storage: the org target needs no shared session record.
          await visitor.request({ action: 'create_conversation_session', requestId: 'c' });
          let n = 0;
          const publish = async () => {
            const text = `notice ${++n}`;
            const res = await fetch(`${httpBase(a)}/admin/publish`, {
              method: 'POST',
              headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
              body: JSON.stringify({ target: { type: 'org', id: org }, event: { type: 'notice', text } }),
            });
            expect(res.status).toBe(200);
            return text;
          };
          const delivered = (text: string) => visitor.frames.some((f) => f.type === 'notice' && f.text === text);

          const first = await publish();
          await until(async () => (delivered(first) ? true : undefined), 5_000);
          expect((await ready(a)).status).toBe(200);

          await stop();
          try {
            for (const p of [a, b]) {
              const out = await until(async () => {
                const r = await ready(p);
                return r.status === 503 ? r : undefined;
              }, 10_000);
              expect(out.value.body.checks?.backplane).toBe('unavailable');
            }
            // Publishing while the bus is out is answered, not an error or a crash.
            await publish();
          } finally {
            await start();
          }
          const resumed = await until(async () => {
            const text = await publish();
            await new Promise((r) => setTimeout(r, 100));
            return delivered(text) ? true : undefined;
          }, 5_000);
          process.stderr.write(`${bus}-restart: cross-replica delivery resumed ${resumed.ms} ms after the bus was back\n`);
          for (const p of [a, b]) await until(async () => ((await ready(p)).status === 200 ? true : undefined), 5_000);
          expect(a.child.exitCode).toBeNull();
          expect(b.child.exitCode).toBeNull();
          if (bus === 'redis') {
            const metrics = await (await fetch(`${httpBase(a)}/metrics`)).text();
            const failures = Number(/^smooth_operator_backplane_publish_failures_total (\d+)/m.exec(metrics)?.[1]);
            expect(failures).toBeGreaterThanOrEqual(1);
          }
        });
      });
    });
}

busSuite('redis', REDIS_TEST_URL, stopRedis, startRedis, await probeRedis());
busSuite('nats', NATS_TEST_URL, stopNats, startNats, await probeNats());
