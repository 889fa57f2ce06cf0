import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedGateway } from '../src/testing/index.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { TestClient } from './support/ws-client.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Deterministic pseudo-random generator so a failing fuzz case can be reproduced. */
function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function malformedFrame(next: () => number, i: number): { data: string | Buffer; binary: boolean } {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const junk = () => Array.from({ length: Math.floor(next() * 40) }, () => String.fromCharCode(Math.floor(next() * 0x7f))).join('');
  const kind = i % 8;
  if (kind === 0) return { data: Buffer.from(junk()), binary: true };
  if (kind === 1) return { data: `{${junk()}`, binary: false };
  if (kind === 2) return { data: JSON.stringify(pick([null, 1, 'x', [], [1, 2], true])), binary: false };
  if (kind === 3) return { data: JSON.stringify({ requestId: `r${i}`, action: pick([null, 5, {}, []]) }), binary: false };
  if (kind === 4) return { data: JSON.stringify({ requestId: `r${i}`, action: junk() || 'x' }), binary: false };
  if (kind === 5) return { data: JSON.stringify({ requestId: `r${i}`, action: 'send_message', sessionId: pick([5, '', null]), message: 'x' }), binary: false };
  if (kind === 6) return { data: JSON.stringify({ requestId: `r${i}`, action: 'get_session', sessionId: junk() || 'nope' }), binary: false };
  return { data: JSON.stringify({ requestId: `r${i}`, action: 'confirm_tool_action', sessionId: 's', approved: pick([1, 'true', null]) }), binary: false };
}

describe('hostile and slow clients', () => {
  it('answers 1,000 random malformed frames with an error each and stays up', async () => {
    // Parsing is under test here, not the frame rate limit (test/abuse-limits.test.ts covers that).
    harness = await startHarness([], { config: { maxFramesPerSec: 0 } });
    const client = await harness.connect();
    const next = rng(20261123);
    const count = 1000;
    for (let i = 0; i < count; i++) {
      const frame = malformedFrame(next, i);
      client.ws.send(frame.data, { binary: frame.binary });
    }
    const errors = [];
    for (let i = 0; i < count; i++) errors.push(await client.next());
    expect(errors.every((f) => f.type === 'error')).toBe(true);
    const codes = new Set(errors.map((f) => (f.error as { code: string }).code));
    expect([...codes].sort()).toEqual(['SESSION_NOT_FOUND', 'UNSUPPORTED_ACTION', 'VALIDATION_ERROR']);
    // Errors echo only string requestIds that were sent.
    for (const f of errors) if ('requestId' in f) expect(typeof f.requestId).toBe('string');
    expect(client.closed).toBe(false);
    expect(await client.request({ action: 'ping', requestId: 'alive' })).toMatchObject({ type: 'pong', requestId: 'alive' });
    expect(await (await fetch(`${harness.server.httpUrl}/health`)).text()).toBe('ok');
    expect(client.schemaViolations).toEqual([]);
  });

  it('rejects frames over maxPayload without taking the server down', async () => {
    harness = await startHarness([], { config: { maxPayloadBytes: 4096 } });
    const big = await harness.connect();
    big.send({ action: 'ping', requestId: 'x'.repeat(10_000) });
    await expect(big.next(() => true, 2000)).rejects.toThrow(/closed/);
    expect(big.closeCode).toBe(1009);
    const other = await harness.connect();
    expect(await other.request({ action: 'ping', requestId: 'p' })).toMatchObject({ type: 'pong' });
  });

  it('disconnects a reader that never reads; another client is unaffected', async () => {
    const huge = 'x'.repeat(24 * 1024 * 1024);
    harness = await startHarness([{ kind: 'text', text: huge, chunkSize: 4096 }, { kind: 'text', text: 'fine here' }], {
      config: { maxBufferedBytes: 256 * 1024 },
    });
    const { client: stalled, sessionId } = await harness.session();
    const { client: healthy, sessionId: s2 } = await harness.session();
    const rawSocket = (stalled.ws as unknown as { _socket: { pause(): void } })._socket;
    rawSocket.pause();
    stalled.send({ action: 'send_message', requestId: 'flood', sessionId, message: 'tell me everything' });
    await harness.gateway.waitForRequests(1);
    // While the flood backs up, another client's turn runs normally.
    healthy.send({ action: 'send_message', requestId: 'ok', sessionId: s2, message: 'hello' });
    const frames = await healthy.untilTerminal(20_000);
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'ok' });
    // The server notices the backlog, drops the connection, and the flooding turn's gateway request is aborted.
    await harness.gateway.waitForClientClose(0, 20_000);
    expect(tokensOf(frames)).toBe('fine here');
  });
});

describe('graceful shutdown of `smooth-operator serve`', () => {
  const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

  it('lets in-flight turns finish on SIGTERM, then exits 0', async () => {
    expect(existsSync(cli), 'dist/cli/main.js is missing: run `npm run build` first').toBe(true);
    const gateway = await startScriptedGateway({ script: [{ kind: 'text', text: 'one two three four five six', chunkSize: 4, delayMs: 60 }] });
    const child = spawn(process.execPath, [cli, 'serve'], {
      env: { ...process.env, SMOOTH_AGENT_PORT: '0', SMOOAI_GATEWAY_URL: gateway.url, SMOOAI_GATEWAY_KEY: 'k', SMOOTH_AGENT_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
      });
      expect(line).toMatch(/^smooth-operator listening on ws:\/\/127\.0\.0\.1:\d+\/ws \(model=.+, llm=on\)$/);
      const wsUrl = /(ws:\/\/\S+)/.exec(line)![1]!;
      const client = await TestClient.connect(wsUrl);
      const created = await client.request({ action: 'create_conversation_session', requestId: 'c' });
      const sessionId = (created.data as { sessionId: string }).sessionId;
      client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'count' });
      await client.nextOfType('stream_token');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const frames = await client.untilTerminal();
      expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await gateway.close();
    }
  });

  it('refuses to boot with AUTH_MODE=jwt and no key material, naming the variables', async () => {
    const child = spawn(process.execPath, [cli, 'serve'], {
      env: { ...process.env, SMOOTH_AGENT_PORT: '0', AUTH_MODE: 'jwt', AUTH_JWT_HS256_SECRET: '', AUTH_JWT_RS256_PUBLIC_KEY: '', AUTH_JWT_JWKS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toContain('AUTH_MODE');
    expect(err).toContain('AUTH_JWT_HS256_SECRET');
    expect(out).not.toContain('listening');
  });

  it('explains an occupied port instead of crashing with a stack trace', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [cli, 'serve'], { env: { ...process.env, SMOOTH_AGENT_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(err).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(err).not.toContain('    at ');
    } finally {
      blocker.close();
    }
  });

  it('refuses to boot on a bad variable, naming it', async () => {
    const child = spawn(process.execPath, [cli, 'serve'], {
      env: { ...process.env, SMOOTH_AGENT_PORT: 'not-a-port', SMOOAI_GATEWAY_KEY: 'sk-hidden' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('SMOOTH_AGENT_PORT');
    expect(err).not.toContain('sk-hidden');
  });
});
