import { afterEach, describe, expect, it } from 'vitest';
import { connect, wsSocketFactory, isSmoothAgentError, replyOf, SmoothAgentError, toolActivityOf, type AgentEvent, type SmoothAgentClient } from '../src/client/node.js';
import type { SocketFactory, SocketLike } from '../src/client/node.js';
import type { Tool } from '../src/index.js';
import { AGENT_ID, startHarness, type Harness } from './support/harness.js';

let harness: Harness | undefined;
let client: SmoothAgentClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await harness?.close();
  harness = undefined;
});

async function setUp(...args: Parameters<typeof startHarness>): Promise<{ harness: Harness; client: SmoothAgentClient }> {
  harness = await startHarness(...args);
  client = await connect({ url: harness.server.wsUrl, agentId: AGENT_ID });
  return { harness, client };
}

async function collect(turn: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of turn) events.push(event);
  return events;
}

function refundTool(calls: string[]): Tool {
  return {
    name: 'refund_order',
    description: 'Refund an order.',
    parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
    async execute(args) {
      calls.push(String(args.orderId));
      return 'refund issued';
    },
  };
}

describe('client SDK against the real server', () => {
  it('streams a turn as typed events and resolves with the eventual_response', async () => {
    const { client } = await setUp([{ kind: 'text', text: 'Hello from the scripted model.', chunkSize: 3 }]);
    const session = await client.createConversationSession({ userName: 'Ada' });
    expect(session).toMatchObject({ agentId: AGENT_ID, agentName: 'smooth-agent', sessionId: expect.any(String) });
    expect(client.sessionId).toBe(session.sessionId);

    const turn = client.sendMessage('hi');
    const events = await collect(turn);
    const final = await turn;

    expect(events[0]).toMatchObject({ type: 'immediate_response', status: 202 });
    const tokens = events.filter((e) => e.type === 'stream_token');
    expect(tokens.length).toBeGreaterThan(3);
    expect(turn.text).toBe('Hello from the scripted model.');
    expect(events.at(-1)).toBe(final);
    expect(replyOf(final)).toBe('Hello from the scripted model.');
    expect(final.data.data.usage).toEqual({ costUsd: 0, promptTokens: 10, completionTokens: 5 });
    expect(turn.status).toBe('completed');
    // Iterating a finished turn again replays the same events.
    expect(await collect(turn)).toEqual(events);
  });

  it('reports tool calls and results as typed stream_chunk events', async () => {
    const calls: string[] = [];
    const { client } = await setUp(
      [{ kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"7"}' }, { kind: 'text', text: 'Refunded.' }],
      { tools: [refundTool(calls)] },
    );
    await client.createConversationSession();
    const events = await collect(client.sendMessage({ message: 'refund 7' }));
    const activity = events.flatMap((e) => (e.type === 'stream_chunk' ? [toolActivityOf(e)] : []));
    expect(activity).toEqual([
      { phase: 'call', name: 'refund_order', arguments: '{"orderId":"7"}' },
      { phase: 'result', name: 'refund_order', isError: false, result: 'refund issued' },
    ]);
    expect(calls).toEqual(['7']);
  });

  it('approves a gated tool from the turn and the result streams on', async () => {
    const calls: string[] = [];
    const { client } = await setUp(
      [{ kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"8"}' }, { kind: 'text', text: 'Done.' }],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await client.createConversationSession();
    const turn = client.sendMessage('refund 8');
    const confirmations: unknown[] = [];
    for await (const event of turn) {
      if (event.type === 'write_confirmation_required') {
        expect(event.data.data).toEqual({ toolId: 'refund_order', actionDescription: 'Refund order: order id 8' });
        expect(turn.status).toBe('awaiting_confirmation');
        confirmations.push(await turn.approve());
      }
    }
    expect(confirmations).toEqual([{ sessionId: client.sessionId, approved: true }]);
    expect(replyOf(await turn)).toBe('Done.');
    expect(calls).toEqual(['8']);
  });

  it('resumes a turn parked on an approval after the socket dropped: confirm with resume follows the original requestId', async () => {
    const calls: string[] = [];
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"9"}' }, { kind: 'text', text: 'Refunded after reconnect.', chunkSize: 4 }],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    const sockets: SocketLike[] = [];
    const inner = wsSocketFactory();
    const socketFactory: SocketFactory = (url, handlers) => {
      const socket = inner(url, handlers);
      sockets.push(socket);
      return socket;
    };
    const c = (client = await connect({ url: harness.server.wsUrl, agentId: AGENT_ID, socketFactory, backoff: { initialMs: 50, maxMs: 200 } }));
    const session = await c.createConversationSession();
    const turn = c.sendMessage('refund 9');
    const before: AgentEvent[] = [];
    const reopened = new Promise<void>((resolve) => {
      c.on('session', (change) => {
        if (change.type === 'resumed' && change.sessionId === session.sessionId) resolve();
      });
    });
    await expect(
      (async () => {
        for await (const event of turn) {
          before.push(event);
          if (event.type === 'write_confirmation_required') sockets.at(-1)!.close(1000, 'test drop');
        }
      })(),
    ).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(before.map((e) => e.type)).toContain('write_confirmation_required');
    await reopened;
    expect(sockets).toHaveLength(2);

    const confirmed = await c.confirmToolAction({ approved: true, resume: { requestId: turn.requestId } });
    expect(confirmed).toMatchObject({ sessionId: session.sessionId, approved: true });
    expect(confirmed.turn.requestId).toBe(turn.requestId);
    const after = await collect(confirmed.turn);
    const final = await confirmed.turn;
    const activity = after.flatMap((e) => (e.type === 'stream_chunk' ? [toolActivityOf(e)] : []));
    expect(activity).toContainEqual({ phase: 'result', name: 'refund_order', isError: false, result: 'refund issued' });
    expect(after.filter((e) => e.type === 'stream_token').length).toBeGreaterThan(1);
    expect(confirmed.turn.text).toBe('Refunded after reconnect.');
    expect(replyOf(final)).toBe('Refunded after reconnect.');
    expect(confirmed.turn.status).toBe('completed');
    expect(calls).toEqual(['9']);

    // Nothing is parked any more: a second resume fails, and so does its turn.
    const again = c.confirmToolAction({ approved: true, resume: { requestId: turn.requestId } });
    await expect(again).rejects.toMatchObject({ code: 'NO_PENDING_CONFIRMATION' });
  });

  it('denies a gated tool: the model sees an error result and the tool never runs', async () => {
    const calls: string[] = [];
    const { client, harness } = await setUp(
      [{ kind: 'toolCall', name: 'refund_order', arguments: '{}' }, { kind: 'text', text: 'Not refunded.' }],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await client.createConversationSession();
    const turn = client.sendMessage('refund');
    const results: unknown[] = [];
    for await (const event of turn) {
      if (event.type === 'write_confirmation_required') await client.confirmToolAction({ approved: false });
      if (event.type === 'stream_chunk') results.push(toolActivityOf(event));
    }
    expect(results[1]).toMatchObject({ phase: 'result', isError: true, result: expect.stringContaining('denied') });
    expect(replyOf(await turn)).toBe('Not refunded.');
    expect(calls).toEqual([]);
    expect(harness.gateway.requests).toHaveLength(2);
  });

  it('cancels a turn: the iterator ends with `cancelled`, the promise rejects with CANCELLED, the model call is aborted', async () => {
    const { client, harness } = await setUp([{ kind: 'hang', text: 'partial answer' }]);
    await client.createConversationSession();
    const turn = client.sendMessage('slow');
    const seen: string[] = [];
    for await (const event of turn) {
      seen.push(event.type);
      if (event.type === 'stream_token' && seen.filter((t) => t === 'stream_token').length === 1) await turn.cancel();
    }
    expect(seen.at(-1)).toBe('cancelled');
    expect(turn.status).toBe('cancelled');
    await expect(turn).rejects.toMatchObject({ name: 'SmoothAgentError', code: 'CANCELLED', requestId: turn.requestId });
    await harness.gateway.waitForClientClose(0);
  });

  it('correlates concurrent requests by requestId while a turn streams', async () => {
    const { client } = await setUp([{ kind: 'text', text: 'x'.repeat(200), chunkSize: 2, delayMs: 2 }]);
    const session = await client.createConversationSession();
    const turn = client.sendMessage('go');
    const [snapshot, page, rtt] = await Promise.all([client.getSession(), client.getMessages({ limit: 5 }), client.ping()]);
    expect(snapshot).toMatchObject({ sessionId: session.sessionId, conversationId: session.conversationId, status: 'active' });
    expect(page.messages.map((m) => [m.direction, m.content.text])).toEqual([['inbound', 'go']]);
    expect(page).toMatchObject({ hasMore: false, nextCursor: null });
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(replyOf(await turn)).toHaveLength(200);
    const after = await client.getMessages();
    expect(after.messages.map((m) => m.direction)).toEqual(['outbound', 'inbound']);
  });

  it('rejects with typed errors carrying the server code', async () => {
    const { client } = await setUp([]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const error = await client.getSession(unknown).catch((e: unknown) => e);
    expect(isSmoothAgentError(error, 'SESSION_NOT_FOUND')).toBe(true);
    expect(error).toMatchObject({ source: 'server', message: `session '${unknown}' not found` });

    await expect(client.getMessages()).rejects.toMatchObject({ code: 'NO_SESSION', source: 'client' });
    const orphan = client.sendMessage('no session yet');
    await expect(orphan).rejects.toMatchObject({ code: 'NO_SESSION' });
    await expect(collect(orphan)).rejects.toBeInstanceOf(SmoothAgentError);

    await client.createConversationSession();
    await expect(client.confirmToolAction({ approved: true })).rejects.toMatchObject({ code: 'NO_PENDING_CONFIRMATION' });
    const failing = client.sendMessage({ message: 'x', sessionId: unknown });
    const events = await collect(failing);
    expect(events.map((e) => e.type)).toEqual(['error']);
    await expect(failing).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND', requestId: failing.requestId });
  });

  it('connect() fails with CONNECTION_FAILED when nothing listens', async () => {
    harness = await startHarness([]);
    const url = harness.server.wsUrl;
    await harness.close();
    harness = undefined;
    await expect(connect({ url, connectTimeoutMs: 1500, backoff: { initialMs: 50, maxMs: 200 } })).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
  });
});
