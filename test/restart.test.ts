import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedGateway, type ScriptedGateway, type ScriptStep } from '../src/testing/index.js';
import { assertBuilt, runCli, spawnServe, type ServeProcess } from './restart-cli.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';
import { tokensOf } from './support/harness.js';
import { startToolServer } from './support/tool-server.js';
import { at, TestClient, type Frame } from './support/ws-client.js';

/**
 * Durability across processes: the real CLI, killed with SIGKILL, restarted on the same storage; and
 * several processes sharing one Postgres.
 */
const scratch = mkdtempSync(join(tmpdir(), 'so-restart-'));
const databases: TestDatabase[] = [];
const running: ServeProcess[] = [];
const clients: TestClient[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  for (const db of databases) await db.drop();
  rmSync(scratch, { recursive: true, force: true });
});

interface World {
  gateway: ScriptedGateway;
  toolCalls: unknown[];
  env: Record<string, string>;
}

/** A scripted gateway and a webhook tool `delete_record` (needs approval), wired into the CLI's env. */
async function world(script: ScriptStep[], storageEnv: Record<string, string>, extra: Record<string, string> = {}): Promise<World> {
  const gateway = await startScriptedGateway({ script });
  const tools = await startToolServer((_path, body, res) => {
    const id = (body as { arguments?: { id?: string } }).arguments?.id;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`Record ${id} deleted.`);
  });
  closers.push(gateway.close, tools.close);
  const toolsFile = join(mkdtempSync(join(scratch, 'tools-')), 'tools.json');
  writeFileSync(toolsFile, JSON.stringify([{ name: 'delete_record', description: 'Delete a record', parameters: { type: 'object' }, url: `${tools.url}/delete` }]));
  return {
    gateway,
    toolCalls: tools.calls,
    env: {
      ...storageEnv,
      SMOOAI_GATEWAY_URL: gateway.url,
      SMOOAI_GATEWAY_KEY: 'test-key',
      SMOOTH_AGENT_CONFIRM_TOOLS: 'delete',
      SMOOTH_AGENT_TOOLS_FILE: toolsFile,
      SMOOTH_AGENT_DRAIN_TIMEOUT_MS: '500',
      ...extra,
    },
  };
}

async function serve(env: Record<string, string>): Promise<ServeProcess> {
  const p = await spawnServe(env);
  running.push(p);
  return p;
}

async function connect(p: ServeProcess): Promise<TestClient> {
  const c = await TestClient.connect(p.wsUrl);
  clients.push(c);
  return c;
}

async function createSession(c: TestClient): Promise<string> {
  const created = await c.request({ action: 'create_conversation_session', requestId: 'create', userName: 'Alice' });
  return (created.data as { sessionId: string }).sessionId;
}

async function turn(c: TestClient, sessionId: string, requestId: string, message: string): Promise<Frame[]> {
  c.send({ action: 'send_message', requestId, sessionId, message });
  return c.untilTerminal(15_000);
}

async function texts(c: TestClient, sessionId: string): Promise<string[]> {
  const page = await c.request({ action: 'get_conversation_messages', requestId: `h-${Math.random()}`, sessionId, limit: 50 });
  return (at(page, 'data.messages') as Array<{ content: { text: string } }>).map((m) => m.content.text).reverse();
}

const PARK_SCRIPT: ScriptStep[] = [
  { kind: 'text', text: 'First answer.' },
  { kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' },
  { kind: 'text', text: 'Deleted it.' },
];

function restartSuite(name: string, storageEnv: () => Record<string, string>): void {
  describe(`restart on ${name}`, () => {
    it('a process killed with SIGKILL loses nothing: B serves the session and finishes the parked turn', { timeout: 60_000 }, async () => {
      const w = await world(PARK_SCRIPT, storageEnv());
      const a = await serve(w.env);
      const onA = await connect(a);
      const sessionId = await createSession(onA);
      expect((await turn(onA, sessionId, 'r1', 'hello')).at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r1' });
      onA.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'delete 42' });
      await onA.nextOfType('write_confirmation_required', 15_000);
      await a.kill('SIGKILL');

      const b = await serve(w.env);
      const onB = await connect(b);
      const snapshot = await onB.request({ action: 'get_session', requestId: 'g', sessionId });
      expect(snapshot).toMatchObject({ type: 'immediate_response', status: 200, data: { sessionId, status: 'active' } });
      expect(await texts(onB, sessionId)).toEqual(['hello', 'First answer.', 'delete 42']);

      onB.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
      const frames = await onB.untilTerminal(15_000);
      expect(frames[0]).toMatchObject({ type: 'immediate_response', status: 200, requestId: 'c', data: { sessionId, approved: true } });
      expect(frames.find((f) => f.type === 'stream_chunk')).toMatchObject({
        data: { state: { rawResponse: { toolResult: { name: 'delete_record', isError: false, result: 'Record 42 deleted.' } } } },
      });
      expect(tokensOf(frames)).toBe('Deleted it.');
      expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r2' });
      expect(w.toolCalls).toHaveLength(1);
      expect(await texts(onB, sessionId)).toEqual(['hello', 'First answer.', 'delete 42', 'Deleted it.']);
      expect(onB.schemaViolations).toEqual([]);
      await b.kill('SIGTERM');
      expect(b.child.exitCode).toBe(0);
    });
  });
}

describe('graceful shutdown with a turn parked on approval (pglite)', () => {
  it('SIGTERM does not wait for the human: the turn is released at once and resumed after the restart', { timeout: 60_000 }, async () => {
    const storageEnv = { SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: mkdtempSync(join(scratch, 'data-')) };
    const w = await world(PARK_SCRIPT, storageEnv, { SMOOTH_AGENT_DRAIN_TIMEOUT_MS: '30000' });
    const a = await serve(w.env);
    const onA = await connect(a);
    const sessionId = await createSession(onA);
    await turn(onA, sessionId, 'r1', 'hello');
    onA.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'delete 42' });
    await onA.nextOfType('write_confirmation_required', 15_000);
    const started = Date.now();
    await a.kill('SIGTERM');
    // Well under the 30 s drain timeout: nothing waited for the approval.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(a.child.exitCode).toBe(0);

    const b = await serve(w.env);
    const onB = await connect(b);
    onB.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    const frames = await onB.untilTerminal(15_000);
    expect(frames[0]).toMatchObject({ type: 'immediate_response', status: 200, data: { approved: true } });
    expect(tokensOf(frames)).toBe('Deleted it.');
    expect(frames.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r2' });
    expect(w.toolCalls).toHaveLength(1);
  });
});

restartSuite('pglite', () => ({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: mkdtempSync(join(scratch, 'data-')) }));

const probe = await createTestDatabase();
whenAvailable('postgres', 'unavailable' in probe ? probe.unavailable : undefined, () => {
  databases.push(probe as TestDatabase);
  const sharedUrl = (probe as TestDatabase).url;
  const pgEnv = (url: string) => ({ SMOOTH_AGENT_STORAGE: 'postgres', SMOOTH_AGENT_DATABASE_URL: url });
  async function freshDatabase(): Promise<string> {
    const db = await createTestDatabase();
    if ('unavailable' in db) throw new Error(db.unavailable);
    databases.push(db);
    return db.url;
  }

  restartSuite('postgres', () => pgEnv(sharedUrl));

  describe('two processes on one Postgres', () => {
    it('a session created on A takes turns through B, and both see the same history', { timeout: 60_000 }, async () => {
      const w = await world(
        [
          { kind: 'text', text: 'Answer one.' },
          { kind: 'text', text: 'Answer two.' },
          { kind: 'text', text: 'Answer three.' },
        ],
        pgEnv(sharedUrl),
      );
      const [a, b] = await Promise.all([serve(w.env), serve(w.env)]);
      const [onA, onB] = await Promise.all([connect(a), connect(b)]);
      const sessionId = await createSession(onA);
      expect((await turn(onB, sessionId, 'r1', 'one')).at(-1)).toMatchObject({ type: 'eventual_response' });
      expect((await turn(onB, sessionId, 'r2', 'two')).at(-1)).toMatchObject({ type: 'eventual_response' });
      expect((await turn(onA, sessionId, 'r3', 'three')).at(-1)).toMatchObject({ type: 'eventual_response' });
      const expected = ['one', 'Answer one.', 'two', 'Answer two.', 'three', 'Answer three.'];
      expect(await texts(onA, sessionId)).toEqual(expected);
      expect(await texts(onB, sessionId)).toEqual(expected);
      // B replayed A's history to the model: the third turn's prompt holds the first two exchanges.
      const third = w.gateway.requests[2]!.body.messages.map((m) => m.content);
      expect(third).toEqual(expect.arrayContaining(['one', 'Answer one.', 'two', 'Answer two.', 'three']));
    });

    it('concurrent confirms on two processes resolve a parked approval exactly once', { timeout: 60_000 }, async () => {
      const w = await world(PARK_SCRIPT.slice(1), pgEnv(sharedUrl));
      const [a, b] = await Promise.all([serve(w.env), serve(w.env)]);
      const parker = await connect(a);
      const sessionId = await createSession(parker);
      parker.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 42' });
      await parker.nextOfType('write_confirmation_required', 15_000);
      await parker.close();
      // Give A a moment to let go of its in-process waiter, so neither confirm can take the fast path.
      await new Promise((r) => setTimeout(r, 300));
      const [onA, onB] = await Promise.all([connect(a), connect(b)]);
      onA.send({ action: 'confirm_tool_action', requestId: 'ca', sessionId, approved: true });
      onB.send({ action: 'confirm_tool_action', requestId: 'cb', sessionId, approved: true });
      const answers = await Promise.all([onA.next(() => true, 15_000), onB.next(() => true, 15_000)]);
      expect(answers.map((f) => f.type).sort()).toEqual(['error', 'immediate_response']);
      expect(answers.find((f) => f.type === 'error')).toMatchObject({ error: { code: 'NO_PENDING_CONFIRMATION' } });
      const winner = answers[0]!.type === 'immediate_response' ? onA : onB;
      expect((await winner.untilTerminal(15_000)).at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
      expect(w.toolCalls).toHaveLength(1);
    });

    it('a turn still parked on A, confirmed through B, finishes on B once; A stops without answering twice', { timeout: 60_000 }, async () => {
      const w = await world(PARK_SCRIPT.slice(1), pgEnv(sharedUrl), { SMOOTH_AGENT_APPROVAL_TIMEOUT_MS: '1500' });
      const [a, b] = await Promise.all([serve(w.env), serve(w.env)]);
      const onA = await connect(a);
      const sessionId = await createSession(onA);
      onA.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 42' });
      await onA.nextOfType('write_confirmation_required', 15_000);
      const onB = await connect(b);
      onB.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
      expect((await onB.untilTerminal(15_000)).at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
      // A's copy of the turn hears of it (backplane notice, or its timeout) and ends without a second reply.
      const aEnd = await onA.untilTerminal(15_000);
      expect(aEnd.at(-1)).toMatchObject({ type: 'error', error: { code: 'TURN_CONTINUED_ELSEWHERE', message: expect.stringContaining('another connection') } });
      expect(tokensOf(aEnd)).toBe('');
      expect(w.toolCalls).toHaveLength(1);
      expect(w.gateway.requests).toHaveLength(2);
      expect(await texts(onA, sessionId)).toEqual(['delete 42', 'Deleted it.']);
    });
  });

  describe('concurrent migrations', () => {
    async function ledger(url: string): Promise<number[]> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ version: number }>("SELECT version FROM schema_migrations WHERE track = 'core' ORDER BY version")).rows.map((r) => r.version);
      } finally {
        await client.end();
      }
    }

    it('two `smooth-operator migrate` at once: no error, one schema', { timeout: 60_000 }, async () => {
      // Trust auth ignores the password, which lets the test check it never reaches the output.
      const withPassword = new URL(await freshDatabase());
      withPassword.password = 's3cret-pw';
      const url = withPassword.toString();
      const results = await Promise.all([runCli(['migrate'], pgEnv(url)), runCli(['migrate'], pgEnv(url))]);
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      const outputs = results.map((r) => r.stdout).sort();
      expect(outputs[0]).toMatch(/applied migration\(s\) 1/);
      expect(outputs[1]).toMatch(/already up to date/);
      expect(outputs.join('') + results.map((r) => r.stderr).join('')).not.toContain('s3cret-pw');
      expect(outputs[0]).toContain(':***@');
      expect(await ledger(url)).toEqual([1, 2]);
    });

    it('two servers booting at once on an empty database both start and share one schema', { timeout: 60_000 }, async () => {
      const url = await freshDatabase();
      const w = await world([{ kind: 'text', text: 'ok' }], pgEnv(url));
      const [a, b] = await Promise.all([serve(w.env), serve(w.env)]);
      expect(await ledger(url)).toEqual([1, 2]);
      const onB = await connect(b);
      const sessionId = await createSession(await connect(a));
      expect(await onB.request({ action: 'get_session', requestId: 'g', sessionId })).toMatchObject({ status: 200 });
    });
  });
});
