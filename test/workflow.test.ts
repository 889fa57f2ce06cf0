import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JUDGE_MAX_TOKENS } from '../src/engine/workflow/judge.js';
import { JUDGE_SYSTEM_PROMPT, parseVerdict, stepAfter } from '../src/engine/workflow/workflow.js';
import { MemoryStorage } from '../src/storage/index.js';
import type { RecordedRequest, ScriptStep } from '../src/testing/index.js';
import { AGENT_ID, startHarness, type Harness } from './support/harness.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';
import type { TestClient } from './support/ws-client.js';

const JUDGE_MODEL = 'judge-cheap-1';
const workflow = {
  goal: 'Process a refund',
  steps: [
    { id: 'greet', intent: 'Greet and learn the problem', criteria: 'The customer said what they need' },
    { id: 'order', intent: 'Get the order number', criteria: 'An order number is known', next: 'wrap' },
    { id: 'address', intent: 'Confirm the address', criteria: 'The address is confirmed' },
    { id: 'wrap', intent: 'Wrap up', criteria: 'The customer has nothing else' },
  ],
};

const root = mkdtempSync(join(tmpdir(), 'so-workflow-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function agentsFile(): string {
  const path = join(mkdtempSync(join(root, 'agents-')), 'agents.json');
  writeFileSync(path, JSON.stringify([{ agentId: AGENT_ID, instructions: 'You process refunds.', conversationWorkflow: workflow }]));
  return path;
}

const isJudge = (req: RecordedRequest) => req.body.model === JUDGE_MODEL;
const stepOf = (req: RecordedRequest | undefined) => /CURRENT STEP \((\d+\/\d+)\): (\S+)/.exec(String(req?.body.messages[0]?.content))?.slice(1).join(' ');

/** A gateway whose chat turns answer "ok" and whose judge calls answer the next scripted verdict. */
function judgeScript(verdicts: ScriptStep[]) {
  return { respond: (req: RecordedRequest): ScriptStep => (isJudge(req) ? (verdicts.shift() ?? { kind: 'text', text: 'no' }) : { kind: 'text', text: 'ok' }) };
}

let harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function boot(verdicts: ScriptStep[], config: Record<string, unknown> = {}, deps: Record<string, unknown> = {}): Promise<Harness> {
  const h = await startHarness([], { ...deps, config: { agentsFile: agentsFile(), judgeModel: JUDGE_MODEL, ...config } }, {}, judgeScript(verdicts));
  harnesses.push(h);
  return h;
}

async function send(client: TestClient, sessionId: string, message: string) {
  client.send({ action: 'send_message', requestId: `r-${message}`, sessionId, message });
  const frames = await client.untilTerminal();
  expect(frames.at(-1)?.type).toBe('eventual_response');
  return frames;
}

describe('workflow verdicts', () => {
  it('reads "maybe" before "yes", then "yes", then "no", and anything else as maybe', () => {
    expect(parseVerdict('Yes.')).toBe('yes');
    expect(parseVerdict('maybe yes')).toBe('maybe');
    expect(parseVerdict('YES, maybe')).toBe('maybe');
    expect(parseVerdict('No')).toBe('no');
    expect(parseVerdict('unclear')).toBe('maybe');
    expect(parseVerdict('')).toBe('maybe');
  });

  it('advances only on yes: to next, else the following step, else stays', () => {
    expect(stepAfter(workflow, 0, 'yes')).toBe('order');
    expect(stepAfter(workflow, 1, 'yes')).toBe('wrap');
    expect(stepAfter(workflow, 2, 'yes')).toBe('wrap');
    expect(stepAfter(workflow, 3, 'yes')).toBe('wrap');
    expect(stepAfter(workflow, 0, 'no')).toBe('greet');
    expect(stepAfter(workflow, 1, 'maybe')).toBe('order');
  });
});

describe('workflow judge over the protocol', () => {
  it('judges each turn on the judge model with max_tokens 16 and moves the step pointer exactly as the verdicts say', async () => {
    const storage = new MemoryStorage();
    const h = await boot(
      [
        { kind: 'text', text: 'Yes' },
        { kind: 'text', text: 'maybe, yes' },
        { kind: 'text', text: 'no' },
        { kind: 'text', text: 'YES' },
        { kind: 'text', text: 'yes' },
        { kind: 'error', status: 400, body: '{"error":{"message":"bad judge"}}' },
      ],
      {},
      { storage },
    );
    const { client, sessionId } = await h.session();
    for (const message of ['I need a refund', 'not sure which order', 'order 42', 'it is 42', 'thanks', 'bye']) {
      await send(client, sessionId, message);
    }
    await expect.poll(() => h.gateway.requests.filter(isJudge).length).toBe(6);
    await expect.poll(async () => (await storage.getSession(sessionId))?.workflowStepId).toBe('wrap');

    const turns = h.gateway.requests.filter((r) => !isJudge(r));
    expect(turns.map(stepOf)).toEqual(['1/4 greet', '2/4 order', '2/4 order', '2/4 order', '4/4 wrap', '4/4 wrap']);
    expect(turns.every((t) => t.body.model !== JUDGE_MODEL)).toBe(true);
    const prompt = String(turns[0]!.body.messages[0]!.content);
    expect(prompt.startsWith('You process refunds.\n\n<ConversationWorkflow>\nGOAL: Process a refund\n\nCURRENT STEP (1/4): greet\n')).toBe(true);
    expect(prompt).toContain('INTENT: Greet and learn the problem\nCRITERIA: The customer said what they need');

    const judges = h.gateway.requests.filter(isJudge);
    for (const judge of judges) {
      expect(judge.body.max_tokens ?? judge.body.max_completion_tokens).toBe(JUDGE_MAX_TOKENS);
      expect(judge.body.tools ?? []).toEqual([]);
      expect(judge.body.messages[0]).toMatchObject({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
    }
    const asked = String(judges[2]!.body.messages[1]!.content);
    expect(asked).toContain('CURRENT STEP: order');
    expect(asked).toContain('LAST USER MESSAGE:\norder 42');
    expect(asked).toContain('AGENT REPLY:\nok');
  });

  it('sends eventual_response before the judge has answered', async () => {
    const storage = new MemoryStorage();
    const h = await boot([{ kind: 'text', text: 'yes', delayMs: 400, chunkSize: 1 }], {}, { storage });
    const { client, sessionId } = await h.session();
    await send(client, sessionId, 'hello');
    const sentAt = Date.now();
    // The answer is in; the judge is still streaming its three slow characters.
    expect((await storage.getSession(sessionId))?.workflowStepId).toBeUndefined();
    await expect.poll(async () => (await storage.getSession(sessionId))?.workflowStepId, { timeout: 5000 }).toBe('order');
    expect(Date.now() - sentAt).toBeGreaterThan(300);
  });

  it('a shutdown waits a moment for a judge that hangs, then abandons it and the session stays on its step', { timeout: 20_000 }, async () => {
    const storage = new MemoryStorage();
    const h = await boot([{ kind: 'hang' }], {}, { storage });
    const { client, sessionId } = await h.session();
    await send(client, sessionId, 'hello');
    await h.gateway.waitForRequests(2);
    await h.server.close();
    expect((await storage.getSession(sessionId))?.workflowStepId).toBeUndefined();
  });

  it('a per-turn model override does not change the judge model; an agent without a workflow is never judged', async () => {
    const h = await boot([{ kind: 'text', text: 'yes' }]);
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'big', sessionId, message: 'hi', model: 'big-model' });
    await client.untilTerminal();
    await expect.poll(() => h.gateway.requests.filter(isJudge).length).toBe(1);
    expect(h.gateway.requests.map((r) => r.body.model)).toEqual(['big-model', JUDGE_MODEL]);

    const plain = await startHarness([], { config: { judgeModel: JUDGE_MODEL } }, {}, judgeScript([]));
    harnesses.push(plain);
    const other = await plain.session();
    await send(other.client, other.sessionId, 'hi');
    await send(other.client, other.sessionId, 'again');
    expect(plain.gateway.requests.map((r) => r.body.model).filter((m) => m === JUDGE_MODEL)).toEqual([]);
    expect(stepOf(plain.gateway.requests[0])).toBeUndefined();
  });
});

async function stepSurvivesRestart(config: Record<string, unknown>) {
  const first = await boot([{ kind: 'text', text: 'yes' }], config);
  const { client, sessionId } = await first.session();
  await send(client, sessionId, 'I need a refund');
  await first.gateway.waitForRequests(2);
  // Closing waits for the judge to land its step pointer.
  await first.close();
  harnesses = harnesses.filter((h) => h !== first);

  const second = await boot([], config);
  const again = await second.connect();
  await send(again, sessionId, 'order 42');
  expect(stepOf(second.gateway.requests.find((r) => !isJudge(r)))).toBe('2/4 order');
}

describe('workflow step pointer in durable storage', () => {
  it('survives a restart on pglite', { timeout: 90_000 }, async () => {
    await stepSurvivesRestart({ storage: 'pglite', dataDir: mkdtempSync(join(root, 'pglite-')) });
  });
});

const pg = await createTestDatabase();
afterAll(async () => {
  if (!('unavailable' in pg)) await pg.drop();
});
whenAvailable('postgres', 'unavailable' in pg ? pg.unavailable : undefined, () => {
  const { url } = pg as TestDatabase;
  describe('workflow step pointer on postgres', () => {
    it('survives a restart', { timeout: 60_000 }, async () => {
      await stepSurvivesRestart({ storage: 'postgres', databaseUrl: url });
    });

    it('is the same on every replica: a turn on one replica continues on the step the other reached', { timeout: 60_000 }, async () => {
      const config = { storage: 'postgres', databaseUrl: url };
      const a = await boot([{ kind: 'text', text: 'yes' }], config);
      const b = await boot([{ kind: 'text', text: 'yes' }], config);
      const { client, sessionId } = await a.session();
      await send(client, sessionId, 'I need a refund');
      await a.gateway.waitForRequests(2);
      await a.server.close().catch(() => undefined);
      const onB = await b.connect();
      await send(onB, sessionId, 'order 42');
      expect(stepOf(b.gateway.requests[0])).toBe('2/4 order');
    });
  });
});

describe('a turn resumed after an approval', () => {
  it('is judged too, and the approved tool gets its agent config', async () => {
    const seen: unknown[] = [];
    const path = join(mkdtempSync(join(root, 'agents-')), 'agents.json');
    writeFileSync(
      path,
      JSON.stringify([
        { agentId: AGENT_ID, conversationWorkflow: workflow, toolConfig: { enabledTools: [{ toolId: 'delete_record', config: { tenant: 't-9' } }] } },
      ]),
    );
    const storage = new MemoryStorage();
    const chat: ScriptStep[] = [{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' }, { kind: 'text', text: 'Deleted.' }];
    const h = await startHarness(
      [],
      {
        storage,
        tools: [{ name: 'delete_record', description: 'Delete', parameters: { type: 'object' }, execute: async (_args, ctx) => (seen.push(ctx.toolConfig), 'gone') }],
        config: { agentsFile: path, judgeModel: JUDGE_MODEL, confirmToolPatterns: ['delete'] },
      },
      {},
      { respond: (req) => (isJudge(req) ? { kind: 'text', text: 'yes' } : (chat.shift() ?? { kind: 'text', text: 'ok' })) },
    );
    harnesses.push(h);
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete record 42' });
    await client.nextOfType('write_confirmation_required');
    client.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    expect((await client.untilTerminal()).at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
    expect(seen).toEqual([{ tenant: 't-9' }]);
    await expect.poll(async () => (await storage.getSession(sessionId))?.workflowStepId).toBe('order');
    const judge = h.gateway.requests.find(isJudge)!;
    expect(String(judge.body.messages[1]!.content)).toContain('LAST USER MESSAGE:\ndelete record 42');
    expect(String(judge.body.messages[1]!.content)).toContain('AGENT REPLY:\nDeleted.');
  });
});
