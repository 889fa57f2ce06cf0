import { afterEach, describe, expect, it } from 'vitest';
import { at } from './support/ws-client.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a turn over the protocol', () => {
  it('streams tokens, answers with usage, persists both messages and replays history', async () => {
    harness = await startHarness([
      { kind: 'text', text: 'Hello from the engine!' },
      { kind: 'text', text: 'You said hi before.' },
    ]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'hi there' });
    const frames = await client.untilTerminal();
    expect(frames[0]).toMatchObject({ type: 'immediate_response', status: 202, requestId: 'r1', data: {} });
    expect(tokensOf(frames)).toBe('Hello from the engine!');
    const final = frames.at(-1)!;
    expect(final.type).toBe('eventual_response');
    expect(at(final, 'data.data.response.responseParts')).toEqual(['Hello from the engine!']);
    expect(at(final, 'data.data.usage')).toEqual({ costUsd: 0, promptTokens: 10, completionTokens: 5 });
    expect(at(final, 'data.data.citations')).toBeUndefined();

    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'again' });
    await client.untilTerminal();
    // System messages (prompt, the knowledge base's "nothing relevant" note) aside, the history is replayed.
    const second = harness.gateway.requests[1]!.body.messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.content]);
    expect(second).toEqual([
      ['user', 'hi there'],
      ['assistant', 'Hello from the engine!'],
      ['user', 'again'],
    ]);
    expect(harness.gateway.requests[0]!.body.stream_options).toEqual({ include_usage: true });

    const page = await client.request({ action: 'get_conversation_messages', requestId: 'm', sessionId, limit: 3 });
    const messages = at(page, 'data.messages') as Array<{ content: { text: string }; direction: string }>;
    expect(messages.map((m) => m.content.text)).toEqual(['You said hi before.', 'again', 'Hello from the engine!']);
    expect(at(page, 'data.hasMore')).toBe(true);
    const rest = await client.request({
      action: 'get_conversation_messages',
      requestId: 'm2',
      sessionId,
      limit: 3,
      cursor: at(page, 'data.nextCursor'),
    });
    expect((at(rest, 'data.messages') as unknown[]).length).toBe(1);
    expect(at(rest, 'data.nextCursor')).toBeNull();
    expect(client.schemaViolations).toEqual([]);
  });

  it('answers get_session with the snapshot and SESSION_NOT_FOUND for unknown ids', async () => {
    harness = await startHarness([]);
    const { client, sessionId } = await harness.session();
    const snapshot = await client.request({ action: 'get_session', requestId: 'g', sessionId });
    expect(snapshot).toMatchObject({ type: 'immediate_response', status: 200, message: 'Session', data: { sessionId, status: 'active', agentName: 'smooth-agent' } });
    expect(at(snapshot, 'data.threadId')).toBe(at(snapshot, 'data.conversationId'));
    const missing = await client.request({ action: 'get_session', requestId: 'g2', sessionId: '00000000-0000-0000-0000-000000000000' });
    expect(missing).toMatchObject({ type: 'error', error: { code: 'SESSION_NOT_FOUND' }, data: { requestId: 'g2', error: { code: 'SESSION_NOT_FOUND' } } });
    // A session outlives its connection: a reconnecting visitor resumes it with the id.
    const other = await harness.connect();
    expect(await other.request({ action: 'get_session', requestId: 'g3', sessionId })).toMatchObject({ status: 200 });
    expect(client.schemaViolations).toEqual([]);
  });

  it('with SMOOTH_AGENT_REQUIRE_LLM, refuses turns without a gateway key before acknowledging them', async () => {
    harness = await startHarness([], { config: { requireLlm: true } }, { apiKey: undefined });
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'hi' });
    expect(await client.next()).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'LLM_UNAVAILABLE' } });
    expect(await client.drainFor(100)).toEqual([]);
  });

  it('without a gateway key, answers by quoting the knowledge base with citations, and never calls a model', async () => {
    harness = await startHarness([], { seedKb: true }, { apiKey: undefined });
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'How long is the return window?' });
    const frames = await client.untilTerminal();
    expect(frames[0]).toMatchObject({ type: 'immediate_response', status: 202 });
    expect(frames.filter((f) => f.type === 'stream_token').length).toBeGreaterThan(5);
    const reply = tokensOf(frames);
    expect(reply).toContain('Here is what our help center says:');
    expect(reply).toContain("SmooAI's return window is exactly 17 days from delivery.");
    const final = frames.at(-1)!;
    expect(at(final, 'data.data.response.responseParts')).toEqual([reply]);
    expect(at(final, 'data.data.citations.0.id')).toBe('policies/returns.md');
    expect(at(final, 'data.data.usage')).toBeUndefined();

    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'zebra xylophone' });
    const none = await client.untilTerminal();
    expect(tokensOf(none)).toContain("couldn't find anything");
    expect(at(none.at(-1), 'data.data.citations')).toBeUndefined();
    expect(harness.gateway.requests).toHaveLength(0);
    expect(client.schemaViolations).toEqual([]);
  });

  it('allows one turn per connection', async () => {
    harness = await startHarness([{ kind: 'text', text: 'slow answer here', chunkSize: 1, delayMs: 20 }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'first' });
    await client.nextOfType('stream_token');
    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'second' });
    expect(await client.next((f) => f.requestId === 'r2')).toMatchObject({ type: 'error', error: { code: 'TURN_IN_PROGRESS' } });
    const rest = await client.untilTerminal();
    expect(rest.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r1' });
  });

  it('cancel aborts the in-flight gateway request and frees the slot', async () => {
    harness = await startHarness([{ kind: 'hang', text: 'partial ' }, { kind: 'text', text: 'next turn' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'long question' });
    await client.nextOfType('stream_token');
    client.send({ action: 'cancel', requestId: 'c1', sessionId });
    expect(await client.nextOfType('cancelled')).toMatchObject({ requestId: 'r1', status: 499, data: { requestId: 'r1', status: 499 } });
    await harness.gateway.waitForClientClose(0, 3000);
    expect(harness.gateway.requests[0]!.closedByClient).toBe(true);
    // Nothing else for the cancelled turn; a cancel with no turn says nothing.
    client.send({ action: 'cancel', requestId: 'c2' });
    expect((await client.drainFor(150)).filter((f) => f.type !== 'pong')).toEqual([]);
    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'again' });
    const frames = await client.untilTerminal();
    expect(tokensOf(frames)).toBe('next turn');
    // The cancelled turn's user message stays; its partial reply was never stored.
    const page = await client.request({ action: 'get_conversation_messages', requestId: 'm', sessionId });
    expect((at(page, 'data.messages') as Array<{ content: { text: string } }>).map((m) => m.content.text)).toEqual([
      'next turn',
      'again',
      'long question',
    ]);
    expect(client.schemaViolations).toEqual([]);
  });

  it('a disconnect aborts the turn', async () => {
    harness = await startHarness([{ kind: 'hang', text: 'partial ' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'q' });
    await client.nextOfType('stream_token');
    await client.close();
    await harness.gateway.waitForClientClose(0, 3000);
    expect(harness.gateway.requests[0]!.closedByClient).toBe(true);
  });

  it('retries a gateway 500 before the first token', async () => {
    harness = await startHarness([{ kind: 'error', status: 500, body: 'boom' }, { kind: 'text', text: 'recovered' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'q' });
    const frames = await client.untilTerminal();
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(tokensOf(frames)).toBe('recovered');
    expect(harness.gateway.requests).toHaveLength(2);
  });

  it('sums usage over the turn and takes cost from the gateway headers', async () => {
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'knowledge_search', arguments: '{"query":"x"}' }, { kind: 'text', text: 'done' }],
      {},
      {},
      { costUsd: 0.0125, usage: { prompt_tokens: 7, completion_tokens: 3 } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'q' });
    const frames = await client.untilTerminal();
    expect(at(frames.at(-1), 'data.data.usage')).toEqual({ costUsd: 0.025, promptTokens: 14, completionTokens: 6 });
  });

  it('ends with AGENT_ERROR when retries are spent', async () => {
    harness = await startHarness([
      { kind: 'error', status: 503 },
      { kind: 'error', status: 503 },
      { kind: 'error', status: 503 },
    ]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'q' });
    const frames = await client.untilTerminal();
    expect(frames.at(-1)).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'AGENT_ERROR' } });
    expect(harness.gateway.requests).toHaveLength(3);
    expect(JSON.stringify(frames)).not.toContain('test-key');
  });

  it('a gateway that dies mid-stream ends the turn with AGENT_ERROR', async () => {
    harness = await startHarness([{ kind: 'dieMidStream', text: 'half an ans' }]);
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'q' });
    const frames = await client.untilTerminal();
    expect(frames.at(-1)).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'AGENT_ERROR' } });
    expect(harness.gateway.requests).toHaveLength(1);
  });

  it('a gateway that stalls mid-stream ends the turn with AGENT_ERROR within the idle timeout', async () => {
    harness = await startHarness([{ kind: 'stall', text: 'half an ans' }], {}, { idleTimeoutMs: 400 });
    const { client, sessionId } = await harness.session();
    const started = Date.now();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'q' });
    const frames = await client.untilTerminal(5000);
    const elapsed = Date.now() - started;
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    expect(String(at(frames.at(-1), 'error.message'))).toContain('stalled');
    expect(elapsed).toBeLessThan(3000);
  });
});
