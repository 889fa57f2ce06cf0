import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, tokensOf, type Harness } from '../support/harness.js';
import type { Frame } from '../support/ws-client.js';

/**
 * The gateway misbehaving in the ways real ones do. Each case must end in one clean terminal event
 * within the configured budget (retries × idle timeout), with the connection still usable after.
 */
const harnesses: Harness[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const TERMINALS = ['eventual_response', 'error', 'cancelled'];
const BUDGET = { maxRetries: 1, idleTimeoutMs: 1_500 };

/** A raw OpenAI-compatible endpoint for the shapes the scripted gateway does not produce. */
async function rawGateway(handle: (res: ServerResponse) => void): Promise<{ url: string; closes: () => number }> {
  let closes = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.on('close', () => closes++);
      handle(res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, closes: () => closes };
}

const sse = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

async function oneTurn(h: Harness): Promise<{ frames: Frame[]; ms: number; terminals: number }> {
  const { client, sessionId } = await h.session();
  const started = Date.now();
  client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'hello' });
  const frames = await client.untilTerminal(30_000);
  const ms = Date.now() - started;
  // Exactly one terminal: nothing more arrives for this turn.
  const extra = (await client.drainFor(300)).filter((f) => TERMINALS.includes(f.type));
  // And the connection still serves: a ping answers.
  expect(await client.request({ action: 'ping', requestId: 'p' })).toMatchObject({ type: 'pong' });
  expect(client.schemaViolations).toEqual([]);
  return { frames, ms, terminals: 1 + extra.length };
}

describe('gateway faults end in one clean terminal event within budget', () => {
  it('500 on every attempt: AGENT_ERROR after the configured retries', async () => {
    const h = await startHarness([{ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 }], {}, BUDGET);
    harnesses.push(h);
    const { frames, ms, terminals } = await oneTurn(h);
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR', message: expect.stringContaining('500') } });
    expect(h.gateway.requests).toHaveLength(BUDGET.maxRetries + 1);
    expect(terminals).toBe(1);
    expect(ms).toBeLessThan(5_000);
  });

  it('429 with Retry-After, then success: answered after one retry', async () => {
    const h = await startHarness([{ kind: 'error', status: 429, retryAfterMs: 500 }, { kind: 'text', text: 'Back again.' }], {}, BUDGET);
    harnesses.push(h);
    const { frames, ms, terminals } = await oneTurn(h);
    expect(tokensOf(frames)).toBe('Back again.');
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response' });
    expect(terminals).toBe(1);
    expect(ms).toBeLessThan(10_000);
  });

  it('connection reset mid-stream after tokens: AGENT_ERROR, not retried (the user already saw text)', async () => {
    const h = await startHarness([{ kind: 'dieMidStream', text: 'Refunds are allowed' }], {}, BUDGET);
    harnesses.push(h);
    const { frames, ms, terminals } = await oneTurn(h);
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    expect(h.gateway.requests).toHaveLength(1);
    expect(terminals).toBe(1);
    expect(ms).toBeLessThan(5_000);
  });

  it('a stream cut short (clean end, no finish_reason, no [DONE]) ends the turn at once', async () => {
    const gw = await rawGateway((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse({ role: 'assistant', content: 'Refunds are allowed only if you' }));
    });
    const h = await startHarness([], {}, { ...BUDGET, baseUrl: gw.url });
    harnesses.push(h);
    const { frames, ms, terminals } = await oneTurn(h);
    // Whether the partial text is refused (AGENT_ERROR) is the LLM client's call (finding 1); the
    // turn must end once, promptly, and not hang on a stream that is over.
    expect(TERMINALS).toContain(frames.at(-1)!.type);
    expect(terminals).toBe(1);
    expect(ms).toBeLessThan(5_000);
  });

  it('a gateway trickling one byte a second is cut off by the idle timeout on every attempt', { timeout: 30_000 }, async () => {
    const gw = await rawGateway((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(sse({ role: 'assistant', content: 'This will take a very long time to arrive.' }));
      let i = 0;
      const timer = setInterval(() => {
        if (i < bytes.length) res.write(bytes.subarray(i, ++i));
      }, 1_000);
      res.on('close', () => clearInterval(timer));
    });
    const h = await startHarness([], {}, { ...BUDGET, baseUrl: gw.url });
    harnesses.push(h);
    const { frames, ms, terminals } = await oneTurn(h);
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    expect(terminals).toBe(1);
    // (retries + 1) idle timeouts plus backoff, with slack for a loaded machine.
    expect(ms).toBeLessThan((BUDGET.maxRetries + 1) * BUDGET.idleTimeoutMs + 4_000);
    // Every trickling response was abandoned, not left open.
    await new Promise((r) => setTimeout(r, 200));
    expect(gw.closes()).toBe(BUDGET.maxRetries + 1);
  });
});
