import { afterEach, describe, expect, it } from 'vitest';
import {
  connect,
  wsSocketFactory,
  type ConnectionState,
  type SessionChange,
  type SmoothAgentClient,
  type SocketFactory,
  type SocketLike,
} from '../src/client/node.js';
import { MemoryStorage, startLocalServer, type LocalServer, type LocalServerOptions } from '../src/index.js';
import { startScriptedGateway, type ScriptedGateway, type ScriptStep } from '../src/testing/index.js';

/** Test-sized backoff: reconnects within a few hundred ms. */
const FAST = { initialMs: 50, maxMs: 300 };

let gateway: ScriptedGateway | undefined;
let server: LocalServer | undefined;
let client: SmoothAgentClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  await gateway?.close();
  client = server = gateway = undefined;
});

async function boot(port: number, options: LocalServerOptions = {}): Promise<LocalServer> {
  server = await startLocalServer({
    ...options,
    addr: `127.0.0.1:${port}`,
    config: { gateway: { baseUrl: gateway!.url, apiKey: 'k', maxRetries: 0, idleTimeoutMs: 10_000 }, drainTimeoutMs: 200 },
  });
  return server;
}

async function setUp(script: ScriptStep[], options: LocalServerOptions = {}) {
  gateway = await startScriptedGateway({ script });
  const first = await boot(0, options);
  return { port: first.port, url: first.wsUrl };
}

/** Sockets a test can break: `drop` closes one from our side, `mute` stops its incoming frames. */
function breakableSockets(): { factory: SocketFactory; opened: () => number; drop: () => void; mute: () => void } {
  const inner = wsSocketFactory();
  const sockets: Array<{ socket: SocketLike; muted: boolean }> = [];
  const factory: SocketFactory = (url, handlers) => {
    const entry = { socket: undefined as unknown as SocketLike, muted: false };
    entry.socket = inner(url, { ...handlers, onMessage: (text) => (entry.muted ? undefined : handlers.onMessage(text)) });
    sockets.push(entry);
    return entry.socket;
  };
  return {
    factory,
    opened: () => sockets.length,
    drop: () => sockets.at(-1)?.socket.close(1000, 'test drop'),
    mute: () => {
      const last = sockets.at(-1);
      if (last) last.muted = true;
    },
  };
}

function until<T>(subscribe: (resolve: (value: T) => void) => () => void, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

const stateReached = (c: SmoothAgentClient, state: ConnectionState) =>
  c.state === state ? Promise.resolve() : until<void>((done) => c.on('state', (s) => s.state === state && done()));

const nextSession = (c: SmoothAgentClient) => until<SessionChange>((done) => c.on('session', done));

describe('client reconnects', () => {
  it('after a server restart it reconnects with backoff and resumes the same session', async () => {
    const storage = new MemoryStorage();
    const { port, url } = await setUp([{ kind: 'text', text: 'Before.' }, { kind: 'text', text: 'After.' }], { storage });
    client = await connect({ url, backoff: FAST });
    const states: ConnectionState[] = [];
    client.on('state', (s) => states.push(s.state));
    const session = await client.createConversationSession();
    await client.sendMessage('one');

    await server!.close();
    await stateReached(client, 'reconnecting');
    const resumed = nextSession(client);
    await boot(port, { storage });
    expect(await resumed).toEqual({ type: 'resumed', sessionId: session.sessionId });

    expect((await client.sendMessage('two')).data.data.response.responseParts).toEqual(['After.']);
    const history = await client.getMessages();
    expect(history.messages.map((m) => m.content.text)).toEqual(['After.', 'two', 'Before.', 'one']);
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('open');
  });

  it('reports the session as lost when the restarted server no longer knows it', async () => {
    const { port, url } = await setUp([]);
    client = await connect({ url, backoff: FAST });
    const session = await client.createConversationSession();
    await server!.close();
    const change = nextSession(client);
    await boot(port);
    expect(await change).toMatchObject({ type: 'lost', sessionId: session.sessionId, error: { code: 'SESSION_NOT_FOUND' } });
    expect(client.sessionId).toBeUndefined();
    await expect(client.createConversationSession()).resolves.toMatchObject({ sessionId: expect.any(String) });
  });

  it('fails a turn in flight with CONNECTION_LOST when the socket drops, then carries on', async () => {
    const sockets = breakableSockets();
    const { url } = await setUp([{ kind: 'hang', text: 'partial' }, { kind: 'text', text: 'Fine now.' }]);
    client = await connect({ url, backoff: FAST, socketFactory: sockets.factory });
    await client.createConversationSession();
    const turn = client.sendMessage('slow');
    const seen: string[] = [];
    const iteration = (async () => {
      for await (const event of turn) {
        seen.push(event.type);
        if (event.type === 'stream_token') sockets.drop();
      }
    })();
    await expect(iteration).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await expect(turn).rejects.toMatchObject({ code: 'CONNECTION_LOST', retryable: true });
    expect(seen).toContain('stream_token');
    // The server noticed the disconnect and aborted the model call.
    await gateway!.waitForClientClose(0);

    await stateReached(client, 'open');
    expect(sockets.opened()).toBe(2);
    expect((await client.sendMessage('again')).data.data.response.responseParts).toEqual(['Fine now.']);
  });

  it('holds requests made while disconnected until the socket is back', async () => {
    const sockets = breakableSockets();
    const { url } = await setUp([]);
    client = await connect({ url, backoff: FAST, socketFactory: sockets.factory });
    const session = await client.createConversationSession();
    sockets.drop();
    await stateReached(client, 'reconnecting');
    await expect(client.getSession()).resolves.toMatchObject({ sessionId: session.sessionId });
    expect(sockets.opened()).toBe(2);
  });

  it('gives up a silent socket after the heartbeat timeout and opens a new one', async () => {
    const sockets = breakableSockets();
    const { url } = await setUp([]);
    client = await connect({ url, backoff: FAST, socketFactory: sockets.factory, heartbeat: { intervalMs: 100, timeoutMs: 200 } });
    await client.createConversationSession();
    sockets.mute();
    const resumed = nextSession(client);
    await stateReached(client, 'reconnecting');
    await resumed;
    expect(sockets.opened()).toBe(2);
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });

  it('closes for good after maxReconnectAttempts, failing what waits with CLOSED', async () => {
    const { url } = await setUp([]);
    client = await connect({ url, backoff: { initialMs: 20, maxMs: 40 }, maxReconnectAttempts: 2 });
    await server!.close();
    server = undefined;
    await stateReached(client, 'closed');
    expect(client.status.attempt).toBe(2);
    await expect(client.ping()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close() ends a running turn with CLOSED', async () => {
    const { url } = await setUp([{ kind: 'hang' }]);
    client = await connect({ url, backoff: FAST });
    await client.createConversationSession();
    const turn = client.sendMessage('wait');
    await gateway!.waitForRequests(1);
    client.close();
    await expect(turn).rejects.toMatchObject({ code: 'CLOSED' });
    expect(client.state).toBe('closed');
  });
});
