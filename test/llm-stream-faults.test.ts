import { afterEach, describe, expect, it } from 'vitest';
import { at } from './support/ws-client.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function storedTexts(h: Harness, sessionId: string): Promise<string[]> {
  const reader = await h.connect();
  const page = await reader.request({ action: 'get_conversation_messages', requestId: 'm', sessionId });
  return (at(page, 'data.messages') as Array<{ content: { text: string } }>).map((m) => m.content.text);
}

describe('gateway streams that end badly', () => {
  it('a stream that stops cleanly without finish_reason or [DONE] is AGENT_ERROR, and the partial reply is not stored', async () => {
    harness = await startHarness([{ kind: 'truncate', text: 'Refunds are allowed only if you' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'can I get a refund?' });
    const frames = await client.untilTerminal();
    // The tokens already streamed cannot be taken back, but the turn must not pretend they were the answer.
    expect(tokensOf(frames)).toBe('Refunds are allowed only if you');
    expect(frames.at(-1)).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'AGENT_ERROR' } });
    expect(String(at(frames.at(-1), 'error.message'))).toContain('ended before the reply was complete');
    expect(frames.some((f) => f.type === 'eventual_response')).toBe(false);
    // Text reached the user, so the call is not repeated.
    expect(harness.gateway.requests).toHaveLength(1);
    expect(await storedTexts(harness, sessionId)).toEqual(['can I get a refund?']);
    expect(client.schemaViolations).toEqual([]);
  });

  it('a stream cut off before any text is retried like a failed connection', async () => {
    harness = await startHarness([{ kind: 'truncate', text: '' }, { kind: 'text', text: 'Refunds within 30 days.' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'refund?' });
    const frames = await client.untilTerminal();
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
    expect(tokensOf(frames)).toBe('Refunds within 30 days.');
    expect(harness.gateway.requests).toHaveLength(2);
    expect(await storedTexts(harness, sessionId)).toEqual(['Refunds within 30 days.', 'refund?']);
  });

  it('a gateway that never sends a first token is given up on within the first-token budget, not retried past it', async () => {
    // Each attempt alone would run to the 400 ms idle timeout and be retried three times (≈ 3.4 s with back-off).
    harness = await startHarness(
      [{ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }],
      {},
      { idleTimeoutMs: 400, maxRetries: 3, firstTokenTimeoutMs: 700 },
    );
    const { client, sessionId } = await harness.session();
    const started = Date.now();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'hello?' });
    const frames = await client.untilTerminal(10_000);
    const elapsed = Date.now() - started;
    expect(frames.at(-1)).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'AGENT_ERROR' } });
    expect(String(at(frames.at(-1), 'error.message'))).toContain('no token within 700 ms');
    expect(harness.gateway.requests.length).toBeLessThan(4);
    expect(elapsed).toBeLessThan(2500);
  });

  it('the first-token budget does not cut a reply that has started streaming', async () => {
    harness = await startHarness(
      [{ kind: 'text', text: 'slow but steady', chunkSize: 1, delayMs: 40 }],
      {},
      { idleTimeoutMs: 1000, firstTokenTimeoutMs: 200 },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'go' });
    const frames = await client.untilTerminal(10_000);
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response' });
    expect(tokensOf(frames)).toBe('slow but steady');
  });
});
