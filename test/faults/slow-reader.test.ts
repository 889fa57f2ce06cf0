import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedGateway, type ScriptedGateway } from '../../src/testing/index.js';
import { assertBuilt, spawnServe, type ServeProcess } from '../restart-cli.js';
import { TestClient } from '../support/ws-client.js';
import { eventually } from './support.js';

/**
 * A client that stops reading, in a process of its own so its TCP window really closes, while other
 * clients carry on. The server must drop it once its buffer passes SMOOTH_AGENT_MAX_BUFFERED_BYTES,
 * keep its own memory bounded, and serve everyone else as if nothing happened.
 */
const running: ServeProcess[] = [];
const children: ChildProcess[] = [];
const clients: TestClient[] = [];
let gateway: ScriptedGateway | undefined;

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const p of running.splice(0)) await p.kill('SIGKILL');
  await gateway?.close();
});

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

/** Connects, asks for the flood, then stops reading for good (the socket is paused, never resumed). */
const wsModule = createRequire(import.meta.url).resolve('ws');
const SLOW_READER = `
const { WebSocket } = require(${JSON.stringify(wsModule)});
const ws = new WebSocket(process.argv[1]);
ws.on('open', () => ws.send(JSON.stringify({ action: 'create_conversation_session', requestId: 'c', userName: 'slow' })));
ws.once('message', (data) => {
  const sessionId = JSON.parse(String(data)).data.sessionId;
  ws.send(JSON.stringify({ action: 'send_message', requestId: 'flood', sessionId, message: 'flood me' }));
  ws._socket.pause();
  process.stdout.write('paused\\n');
});
setInterval(() => {}, 1000);
`;

describe('a slow reader in another process', () => {
  it('is disconnected at the buffer cap; server memory stays bounded; other clients are unaffected', { timeout: 90_000 }, async () => {
    const FLOOD = 'z'.repeat(8 * 1024 * 1024);
    gateway = await startScriptedGateway({
      respond: (req) => {
        const last = req.body.messages.at(-1)?.content;
        return last === 'flood me' ? { kind: 'text', text: FLOOD, chunkSize: 64 * 1024 } : { kind: 'text', text: 'A short answer.', chunkSize: 4, delayMs: 5 };
      },
    });
    const server = await spawnServe({
      SMOOAI_GATEWAY_URL: gateway.url,
      SMOOAI_GATEWAY_KEY: 'test-key',
      SMOOTH_AGENT_MAX_BUFFERED_BYTES: String(256 * 1024),
      SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP: '0',
    });
    running.push(server);
    const pid = server.child.pid!;

    // Baseline: how long a normal turn takes with nobody misbehaving.
    const normal = await Promise.all(Array.from({ length: 5 }, () => TestClient.connect(server.wsUrl)));
    clients.push(...normal);
    const sessions = await Promise.all(
      normal.map(async (c, i) => ((await c.request({ action: 'create_conversation_session', requestId: `c${i}` })).data as { sessionId: string }).sessionId),
    );
    const turnTimes = async (round: string) =>
      Promise.all(
        normal.map(async (c, i) => {
          const started = Date.now();
          c.send({ action: 'send_message', requestId: `${round}${i}`, sessionId: sessions[i], message: 'hi' });
          const frames = await c.untilTerminal(20_000);
          expect(frames.at(-1)).toMatchObject({ type: 'eventual_response' });
          return Date.now() - started;
        }),
      );
    const before = await turnTimes('a');
    const rssBefore = rssBytes(pid);

    const slow = spawn(process.execPath, ['-e', SLOW_READER, server.wsUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(slow);
    await new Promise<void>((resolve) => slow.stdout!.on('data', (d: Buffer) => d.toString().includes('paused') && resolve()));
    // While the flood is being pushed at the slow reader, the others keep taking turns.
    const during = await turnTimes('b');
    await eventually(() => server.stderr().includes('slow consumer disconnected'), 30_000, 100);
    const rssAfter = rssBytes(pid);
    const after = await turnTimes('c');

    process.stderr.write(
      `slow-reader: normal turn ms before=${Math.max(...before)} during=${Math.max(...during)} after=${Math.max(...after)}; ` +
        `server RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB\n`,
    );
    // Bounded: the reply itself (8 MiB, held as text and as frames) plus the 256 KiB cap, not the
    // unbounded queue of a client that never reads; generous for allocator slack on a busy machine.
    expect(rssAfter - rssBefore).toBeLessThan(160 * 2 ** 20);
    expect(Math.max(...during)).toBeLessThan(5_000);
    expect(Math.max(...after)).toBeLessThan(5_000);
    expect(server.child.exitCode).toBeNull();
  });
});
