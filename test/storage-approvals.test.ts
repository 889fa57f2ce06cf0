import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp, defaultConfig, startServer, type App, type Tool } from '../src/index.js';
import { silentLogger } from '../src/server/logger.js';
import { MemoryStorage, type Storage } from '../src/storage/index.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { startScriptedGateway, type ScriptedGateway, type ScriptStep } from '../src/testing/index.js';
import { tokensOf } from './support/harness.js';
import { at, TestClient, type Frame } from './support/ws-client.js';

/**
 * Approvals that outlive the connection (and, with a durable backend, the process): a confirm that
 * finds no waiting turn resumes it from the checkpoint stored with the approval.
 */
const pgliteDir = mkdtempSync(join(tmpdir(), 'so-approvals-'));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));

const backends: Array<[string, () => Promise<Storage>]> = [
  ['memory', async () => new MemoryStorage()],
  ['pglite', () => PgliteStorage.open({ dataDir: pgliteDir })],
];

interface Rig {
  app: App;
  gateway: ScriptedGateway;
  wsUrl: string;
  deleted: string[];
  connect(): Promise<TestClient>;
  close(): Promise<void>;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const chunks = (frames: Frame[]) => frames.filter((f) => f.type === 'stream_chunk').map((f) => at(f, 'data.state.rawResponse'));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(backends)('parked turns resume from storage (%s)', (_name, makeStorage) => {
  async function start(script: ScriptStep[], approvalTimeoutMs = 60_000): Promise<Rig> {
    const gateway = await startScriptedGateway({ script });
    const deleted: string[] = [];
    const tools: Tool[] = [
      {
        name: 'delete_record',
        description: 'Delete a record',
        parameters: { type: 'object', properties: { id: { type: 'string' } } },
        execute: async (args) => {
          deleted.push(String(args.id));
          return `Record ${String(args.id)} deleted.`;
        },
      },
      { name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object' }, execute: async () => 'Order 7: shipped' },
    ];
    const config = defaultConfig({
      port: 0,
      gateway: { baseUrl: gateway.url, apiKey: 'test-key', maxRetries: 0, idleTimeoutMs: 5000 },
      confirmToolPatterns: ['delete'],
      approvalTimeoutMs,
      drainTimeoutMs: 200,
    });
    const app = await createApp(config, { storage: await makeStorage(), tools, logger: silentLogger() });
    const server = await startServer(app);
    const clients: TestClient[] = [];
    return {
      app,
      gateway,
      wsUrl: server.wsUrl,
      deleted,
      async connect() {
        const client = await TestClient.connect(server.wsUrl);
        clients.push(client);
        return client;
      },
      async close() {
        for (const c of clients) c.ws.terminate();
        await server.close();
        await gateway.close();
      },
    };
  }

  /** Creates a session, sends a message, waits until the turn parks, then drops the socket. */
  async function parkAndDisconnect(r: Rig, message = 'delete 42'): Promise<string> {
    const first = await r.connect();
    const created = await first.request({ action: 'create_conversation_session', requestId: 'create' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    first.send({ action: 'send_message', requestId: 'r', sessionId, message });
    await first.nextOfType('write_confirmation_required');
    await first.close();
    // The server notices the close and lets go of the in-process waiter; the stored approval stays.
    await until(() => !r.app.approvals.hasWaiter(sessionId), 'the parked turn to be released');
    expect((await r.app.storage.getPendingApproval(sessionId))?.checkpoint?.requestId).toBe('r');
    return sessionId;
  }

  it('a confirm from a new connection resumes the turn there, under the original requestId', async () => {
    rig = await start([{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' }, { kind: 'text', text: 'Deleted it.' }]);
    const sessionId = await parkAndDisconnect(rig);
    const second = await rig.connect();
    second.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    const frames = await second.untilTerminal();
    expect(frames[0]).toMatchObject({ type: 'immediate_response', status: 200, requestId: 'c', data: { sessionId, approved: true } });
    expect(chunks(frames)).toEqual([{ toolResult: { name: 'delete_record', isError: false, result: 'Record 42 deleted.' } }]);
    expect(tokensOf(frames)).toBe('Deleted it.');
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r', data: { requestId: 'r' } });
    expect(rig.deleted).toEqual(['42']);
    // The model saw the conversation exactly as if the turn had never stopped.
    const resumed = rig.gateway.requests[1]!.body.messages;
    expect(resumed.find((m) => m.role === 'assistant')?.tool_calls?.[0]?.function.name).toBe('delete_record');
    expect(resumed.at(-1)).toMatchObject({ role: 'tool', content: 'Record 42 deleted.' });
    const history = await second.request({ action: 'get_conversation_messages', requestId: 'h', sessionId, limit: 10 });
    expect((at(history, 'data.messages') as Array<{ content: { text: string } }>).map((m) => m.content.text)).toEqual(['Deleted it.', 'delete 42']);
    expect(await second.request({ action: 'confirm_tool_action', requestId: 'c2', sessionId, approved: true })).toMatchObject({
      error: { code: 'NO_PENDING_CONFIRMATION' },
    });
    expect(second.schemaViolations).toEqual([]);
  });

  it('a denial after reconnecting gives the model the rejection and runs nothing', async () => {
    rig = await start([{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' }, { kind: 'text', text: 'Left it alone.' }]);
    const sessionId = await parkAndDisconnect(rig);
    const second = await rig.connect();
    second.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: false });
    const frames = await second.untilTerminal();
    expect(frames[0]).toMatchObject({ message: 'Tool action rejected', data: { approved: false } });
    expect(chunks(frames)).toEqual([
      { toolResult: { name: 'delete_record', isError: true, result: 'blocked by hook: User denied: user rejected the action' } },
    ]);
    expect(rig.deleted).toEqual([]);
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
  });

  it('runs the rest of the parked message’s tool calls, and a second park in the resumed turn works too', async () => {
    rig = await start([
      { kind: 'toolCalls', calls: [{ name: 'delete_record', arguments: '{"id":"1"}' }, { name: 'lookup_order', arguments: '{}' }] },
      { kind: 'toolCall', name: 'delete_record', arguments: '{"id":"2"}' },
      { kind: 'text', text: 'Both gone.' },
    ]);
    const sessionId = await parkAndDisconnect(rig);
    const second = await rig.connect();
    second.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    await second.nextOfType('write_confirmation_required');
    // This time the turn is alive on this connection: the in-process fast path answers it.
    second.send({ action: 'confirm_tool_action', requestId: 'c2', sessionId, approved: true });
    const frames = await second.untilTerminal();
    expect(chunks(second.frames)).toEqual([
      { toolResult: { name: 'delete_record', isError: false, result: 'Record 1 deleted.' } },
      { toolCall: { name: 'lookup_order', arguments: '{}' } },
      { toolResult: { name: 'lookup_order', isError: false, result: 'Order 7: shipped' } },
      { toolCall: { name: 'delete_record', arguments: '{"id":"2"}' } },
      { toolResult: { name: 'delete_record', isError: false, result: 'Record 2 deleted.' } },
    ]);
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
    expect(rig.deleted).toEqual(['1', '2']);
    expect(await rig.app.storage.getPendingApproval(sessionId)).toBeUndefined();
  });

  it('a user’s cancel discards the parked turn', async () => {
    rig = await start([{ kind: 'toolCall', name: 'delete_record', arguments: '{}' }]);
    const first = await rig.connect();
    const created = await first.request({ action: 'create_conversation_session', requestId: 'create' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    first.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete' });
    await first.nextOfType('write_confirmation_required');
    first.send({ action: 'cancel', requestId: 'x' });
    await first.nextOfType('cancelled');
    await until(async () => (await rig!.app.storage.getPendingApproval(sessionId)) === undefined, 'the approval to be discarded');
    const second = await rig.connect();
    expect(await second.request({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true })).toMatchObject({
      error: { code: 'NO_PENDING_CONFIRMATION' },
    });
  });

  it('an expired parked turn is not resumed', async () => {
    rig = await start([{ kind: 'toolCall', name: 'delete_record', arguments: '{}' }], 400);
    const sessionId = await parkAndDisconnect(rig);
    await new Promise((r) => setTimeout(r, 500));
    const second = await rig.connect();
    const answer = await second.request({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    expect(answer).toMatchObject({ error: { code: 'NO_PENDING_CONFIRMATION' } });
    expect(at(answer, 'error.message')).toContain('expired');
    expect(rig.deleted).toEqual([]);
  });

  it('of two confirms racing from two connections, exactly one resumes the turn', async () => {
    rig = await start([{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"9"}' }, { kind: 'text', text: 'Done.' }]);
    const sessionId = await parkAndDisconnect(rig);
    const [a, b] = await Promise.all([rig.connect(), rig.connect()]);
    a.send({ action: 'confirm_tool_action', requestId: 'ca', sessionId, approved: true });
    b.send({ action: 'confirm_tool_action', requestId: 'cb', sessionId, approved: true });
    const [fa, fb] = await Promise.all([a.next(), b.next()]);
    const firsts = [fa, fb].map((f) => f.type).sort();
    expect(firsts).toEqual(['error', 'immediate_response']);
    const winner = fa.type === 'immediate_response' ? a : b;
    const frames = await winner.untilTerminal();
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
    expect(rig.deleted).toEqual(['9']);
  });
});
