import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config/index.js';
import { MAX_MESSAGE_CHARS } from '../src/protocol/actions.js';
import { FrameRateGuard, TokenBucket } from '../src/server/rate-limit.js';
import { ConnectionsPerIp } from '../src/server/rate-limit-ip.js';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient, type Frame } from './support/ws-client.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function boot(config: Partial<Config>, script: Parameters<typeof startHarness>[0] = []): Promise<Harness> {
  harness = await startHarness(script, { config });
  return harness;
}

/**
 * Sends `n` pings at once and returns the n answers (pong or error) in request order. Refusals are
 * answered at once while accepted frames queue behind each other, so arrival order differs.
 */
async function flood(client: TestClient, n: number, prefix = 'p'): Promise<Frame[]> {
  for (let i = 0; i < n; i++) client.send({ action: 'ping', requestId: `${prefix}${i}` });
  const answers: Frame[] = [];
  for (let i = 0; i < n; i++) answers.push(await client.next((f) => typeof f.requestId === 'string' && f.requestId.startsWith(prefix)));
  const index = (f: Frame) => Number((f.requestId as string).slice(prefix.length));
  return answers.sort((a, b) => index(a) - index(b));
}

const limited = (f: Frame) => f.type === 'error' && (f.error as { code: string }).code === 'RATE_LIMITED';

describe('rate limiter units', () => {
  it('a token bucket allows the burst, then the refill rate', () => {
    let clock = 0;
    const bucket = new TokenBucket(2, 3, () => clock);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock += 499;
    expect(bucket.take()).toBe(false);
    clock += 1;
    expect(bucket.take()).toBe(true);
    clock += 60_000; // a long pause refills only up to the burst
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false]);
  });

  it('a guard closes only after more than closeAfter refusals inside the window; 0 disables each part', () => {
    let clock = 0;
    const guard = new FrameRateGuard({ perSecond: 1, burst: 1, closeAfter: 2, now: () => clock });
    expect([guard.admit(), guard.admit(), guard.admit(), guard.admit()]).toEqual(['accept', 'limit', 'limit', 'close']);
    const patient = new FrameRateGuard({ perSecond: 1, burst: 1, closeAfter: 2, now: () => clock });
    expect([patient.admit(), patient.admit(), patient.admit()]).toEqual(['accept', 'limit', 'limit']);
    clock += 10_001; // a new window forgets old refusals (and the bucket has refilled)
    expect([patient.admit(), patient.admit(), patient.admit(), patient.admit()]).toEqual(['accept', 'limit', 'limit', 'close']);
    const unlimited = new FrameRateGuard({ perSecond: 0, burst: 1, closeAfter: 1, now: () => clock });
    expect(Array.from({ length: 1000 }, () => unlimited.admit()).every((v) => v === 'accept')).toBe(true);
    const neverCloses = new FrameRateGuard({ perSecond: 1, burst: 1, closeAfter: 0, now: () => clock });
    expect(Array.from({ length: 100 }, () => neverCloses.admit()).includes('close')).toBe(false);
  });

  it('the per-IP counter frees a slot on release and forgets idle addresses', () => {
    const perIp = new ConnectionsPerIp(2);
    expect([perIp.acquire('a'), perIp.acquire('a'), perIp.acquire('a'), perIp.acquire('b')]).toEqual([true, true, false, true]);
    perIp.release('a');
    expect(perIp.acquire('a')).toBe(true);
    perIp.release('a');
    perIp.release('a');
    expect(perIp.count('a')).toBe(0);
    expect(new ConnectionsPerIp(0).acquire('a')).toBe(true);
  });

  it('defaults: 20 frames/s with a burst of 40, close after 20 refusals, 20 connections per address', () => {
    const config = loadConfig({});
    expect([config.maxFramesPerSec, config.frameBurst, config.rateLimitCloseAfter, config.maxConnectionsPerIp]).toEqual([20, 40, 20, 20]);
    const custom = loadConfig({
      SMOOTH_AGENT_MAX_FRAMES_PER_SEC: '5',
      SMOOTH_AGENT_FRAME_BURST: '7',
      SMOOTH_AGENT_RATE_LIMIT_CLOSE_AFTER: '0',
      SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP: '0',
    });
    expect([custom.maxFramesPerSec, custom.frameBurst, custom.rateLimitCloseAfter, custom.maxConnectionsPerIp]).toEqual([5, 7, 0, 0]);
    expect(() => loadConfig({ SMOOTH_AGENT_FRAME_BURST: '0' })).toThrow(/SMOOTH_AGENT_FRAME_BURST/);
  });
});

describe('per-connection frame rate (real WebSockets)', () => {
  it('the default burst of 40 passes untouched', async () => {
    const h = await boot({});
    const client = await h.connect();
    const answers = await flood(client, 40);
    expect(answers.every((f) => f.type === 'pong')).toBe(true);
  });

  it('frames over the rate get RATE_LIMITED with their requestId; the connection stays usable', async () => {
    const h = await boot({ maxFramesPerSec: 2, frameBurst: 5, rateLimitCloseAfter: 0 });
    const client = await h.connect();
    const answers = await flood(client, 12);
    const pongs = answers.filter((f) => f.type === 'pong').length;
    // The burst, plus at most one token refilled while the frames were in flight.
    expect(pongs).toBeGreaterThanOrEqual(5);
    expect(pongs).toBeLessThanOrEqual(6);
    expect(answers.slice(0, 5).every((f) => f.type === 'pong')).toBe(true);
    const refused = answers.filter(limited);
    expect(refused).toHaveLength(12 - pongs);
    for (const f of refused) expect(f).toMatchObject({ error: { code: 'RATE_LIMITED', message: 'too many frames; slow down' }, data: { requestId: f.requestId } });

    await new Promise((r) => setTimeout(r, 1100)); // two tokens back
    expect(await client.request({ action: 'ping', requestId: 'later' })).toMatchObject({ type: 'pong' });
    expect(client.closed).toBe(false);
  });

  it('malformed frames spend tokens too', async () => {
    const h = await boot({ maxFramesPerSec: 1, frameBurst: 2, rateLimitCloseAfter: 0 });
    const client = await h.connect();
    client.send('not json');
    client.send(JSON.stringify({ requestId: 'x' }));
    expect(await client.next()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    expect(await client.next()).toMatchObject({ requestId: 'x', error: { code: 'VALIDATION_ERROR' } });
    expect(await client.request({ action: 'ping', requestId: 'p' })).toMatchObject({ requestId: 'p', error: { code: 'RATE_LIMITED' } });
  });

  it('sustained abuse closes the socket with 1008 after closeAfter refusals', async () => {
    const h = await boot({ maxFramesPerSec: 1, frameBurst: 2, rateLimitCloseAfter: 3 });
    const client = await h.connect();
    for (let i = 0; i < 30; i++) client.send({ action: 'ping', requestId: `p${i}` });
    await expect.poll(() => client.closed, { timeout: 5000 }).toBe(true);
    expect(client.closeCode).toBe(1008);
    // 3 refusals are tolerated; the 4th is answered and then the socket is closed. Nothing after that
    // (the two accepted pings may or may not have been answered before the close: abuse forfeits them).
    expect(client.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(2);
    expect(client.frames.filter(limited).map((f) => f.requestId)).toEqual(['p2', 'p3', 'p4', 'p5']);
    // Other clients are unaffected.
    expect(await (await h.connect()).request({ action: 'ping', requestId: 'ok' })).toMatchObject({ type: 'pong' });
  });
});

describe('per-IP connection cap (real WebSockets)', () => {
  it('refuses the upgrade with 429 past the cap and frees the slot when a connection closes', async () => {
    const h = await boot({ maxConnectionsPerIp: 2 });
    const a = await h.connect();
    const b = await h.connect();
    await expect(h.connect()).rejects.toThrow(/429/);
    await expect(h.connect()).rejects.toThrow(/429/);
    await a.close();
    // The slot is released on the server's socket close, which may trail the client's by a tick.
    await expect.poll(async () => {
      try {
        const c = await h.connect();
        return (await c.request({ action: 'ping', requestId: 'p' })).type;
      } catch (err) {
        return (err as Error).message;
      }
    }).toBe('pong');
    expect(await b.request({ action: 'ping', requestId: 'b' })).toMatchObject({ type: 'pong' });
    await expect(h.connect()).rejects.toThrow(/429/);
  });

  it('0 turns the cap off', async () => {
    const h = await boot({ maxConnectionsPerIp: 0 });
    const clients = await Promise.all(Array.from({ length: 25 }, () => h.connect()));
    expect(clients).toHaveLength(25);
  });
});

describe('input size bounds', () => {
  it(`send_message text is limited to ${MAX_MESSAGE_CHARS} characters`, async () => {
    const h = await boot({}, [{ kind: 'text', text: 'ok' }]);
    const { client, sessionId } = await h.session();
    expect(await client.request({ action: 'send_message', requestId: 'big', sessionId, message: 'x'.repeat(MAX_MESSAGE_CHARS + 1) })).toMatchObject({
      type: 'error',
      requestId: 'big',
      error: { code: 'VALIDATION_ERROR', message: "'message' exceeds 10000 characters" },
    });
    expect(h.gateway.requests).toHaveLength(0);
    client.send({ action: 'send_message', requestId: 'max', sessionId, message: 'y'.repeat(MAX_MESSAGE_CHARS) });
    expect((await client.untilTerminal()).at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'max' });
  });

  it('admin request bodies are bounded (8 MiB) before they are buffered', async () => {
    const secret = 'abuse-test-secret-abuse-test-secret';
    const h = await boot({ authMode: 'jwt', jwt: { hs256Secret: secret, clockToleranceSec: 5 } });
    const token = await new SignJWT({ org: 'org-1', role: 'curator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('c')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret));
    const url = `${h.server.httpUrl}/admin/knowledge/documents`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const tooBig = JSON.stringify({ documents: [{ source: 's', content: 'z'.repeat(8 * 1024 * 1024) }] });
    const res = await fetch(url, { method: 'POST', headers, body: tooBig });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR', message: 'request body exceeds 8388608 bytes' } });
    // Without a content-length the server stops reading at the bound instead of buffering it all.
    const chunk = new Uint8Array(1024 * 1024).fill(0x7a);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled++ < 32) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(url, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(pulled).toBeLessThan(32);
    // A small body on the same route is accepted, so the 413 was about size alone.
    const ok = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ documents: [{ source: 's', content: 'fine' }] }) });
    expect(ok.status).toBe(201);
  });
});
