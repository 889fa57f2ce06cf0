import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedGateway, type ScriptedGateway } from '../../src/testing/index.js';
import { assertBuilt, spawnServe, type ServeProcess } from '../restart-cli.js';
import { tokensOf } from '../support/harness.js';
import { TestClient } from '../support/ws-client.js';

const REPLY = 'Our refund window is thirty days from delivery, and refunds go back to the original payment method.';
const running: ServeProcess[] = [];
const clients: TestClient[] = [];
let gateway: ScriptedGateway | undefined;

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
  await gateway?.close();
});

describe('SIGTERM with 100 turns in flight', () => {
  it('every one of the 100 turns completes before the process exits 0', { timeout: 90_000 }, async () => {
    // Each reply streams for about two seconds, so all 100 are mid-stream when the signal lands.
    gateway = await startScriptedGateway({ respond: () => ({ kind: 'text', text: REPLY, chunkSize: 5, delayMs: 100 }) });
    const server = await spawnServe({
      SMOOAI_GATEWAY_URL: gateway.url,
      SMOOAI_GATEWAY_KEY: 'test-key',
      SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP: '0',
      SMOOTH_AGENT_DRAIN_TIMEOUT_MS: '30000',
    });
    running.push(server);
    const N = 100;
    const sessions = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const client = await TestClient.connect(server.wsUrl);
        clients.push(client);
        const created = await client.request({ action: 'create_conversation_session', requestId: `c${i}`, userName: `u${i}` }, 20_000);
        return { client, sessionId: (created.data as { sessionId: string }).sessionId };
      }),
    );
    for (const [i, { client, sessionId }] of sessions.entries()) client.send({ action: 'send_message', requestId: `r${i}`, sessionId, message: 'refunds?' });
    // Every turn has started streaming: the signal interrupts work in progress, not a queue.
    await Promise.all(sessions.map(({ client }) => client.nextOfType('stream_token', 30_000)));
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    const results = await Promise.all(sessions.map(({ client }) => client.untilTerminal(40_000).catch((err: Error) => err)));
    const completed = results.filter((r) => !(r instanceof Error) && r.at(-1)?.type === 'eventual_response');
    expect(completed).toHaveLength(N);
    // The stream continued where the first token left off: each client saw the whole reply.
    for (const { client } of sessions) expect(tokensOf(client.frames)).toBe(REPLY);
    expect(await exited).toBe(0);
    for (const { client } of sessions) expect(client.schemaViolations).toEqual([]);
  });
});
