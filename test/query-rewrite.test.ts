import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKnowledge, type Knowledge } from '../src/knowledge/index.js';
import { fuseHits, MAX_QUERY_CHARS, parseRewrite, REWRITE_HISTORY_MESSAGES, REWRITE_MAX_TOKENS, rewriteUserMessage } from '../src/engine/query-rewrite.js';
import type { KnowledgeHit } from '../src/knowledge/index.js';
import type { RecordedRequest, ScriptStep } from '../src/testing/index.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { at, type Frame } from './support/ws-client.js';

// The query rewrite of auto-retrieval, over the real server and a real WebSocket, the LLM being the
// scripted OpenAI-compatible gateway on loopback. The gateway tells the rewrite call from the turn's
// model call by the rewrite's system instruction.

const ORG = 'default';
const KEY = 'sk-rewrite-test-secret';
const FIRST = 'How do I get my money back for a kettle?';
const FIRST_REPLY = 'Send the kettle back within 30 days of delivery and we refund you in full.';
const FOLLOW_UP = 'and how long does that take?';
const REWRITTEN = 'how many business days until the kettle refund reaches my card';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function knowledge(): Promise<Knowledge> {
  const kb = new MemoryKnowledge();
  await kb.upsert(ORG, [
    { id: 'returns.md', source: 'help/returns.md', title: 'Return window', content: '# Return window\n\nYou can return a kettle within **30 days** of delivery for a full refund.' },
    {
      id: 'refund-timing.md',
      source: 'help/refund-timing.md',
      title: 'Refund processing',
      content: '# Refund processing\n\nOnce the returned kettle arrives at our warehouse, the refund reaches your card within 5 to 7 business days.',
    },
    { id: 'gift-cards.md', source: 'help/gift-cards.md', title: 'Gift cards', content: '# Gift cards\n\nGift cards cannot be returned or refunded, and they never expire.' },
  ]);
  return kb;
}

function isRewrite(req: RecordedRequest): boolean {
  const system = req.body.messages[0];
  return system?.role === 'system' && String(system.content).includes('standalone search query');
}

function modelCalls(h: Harness): RecordedRequest[] {
  return h.gateway.requests.filter((r) => !isRewrite(r));
}

function rewriteCalls(h: Harness): RecordedRequest[] {
  return h.gateway.requests.filter(isRewrite);
}

interface Setup {
  rewrite?: boolean;
  timeoutMs?: number;
  /** What the gateway answers the rewrite call with. */
  rewriteStep?: ScriptStep;
  apiKey?: string | undefined;
}

interface TurnResult {
  reply: string;
  citations: string[];
  usage: unknown;
  escalate: unknown;
  final: Frame;
}

async function boot(setup: Setup = {}): Promise<{ h: Harness; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
  const env: Record<string, string> = {};
  if (setup.rewrite) env.SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE = '1';
  if (setup.timeoutMs !== undefined) env.SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS = String(setup.timeoutMs);
  let answers = 0;
  harness = await startHarness(
    [],
    { knowledge: await knowledge(), env, config: { authMode: 'none' }, logger: pino({ level: 'warn' }, sink) },
    { apiKey: 'apiKey' in setup ? setup.apiKey : KEY, maxRetries: 1 },
    {
      respond: (req) =>
        isRewrite(req) ? (setup.rewriteStep ?? { kind: 'text', text: REWRITTEN }) : { kind: 'text', text: answers++ === 0 ? FIRST_REPLY : 'It takes a few days.' },
    },
  );
  return { h: harness, logs };
}

async function turn(client: Awaited<ReturnType<Harness['session']>>['client'], sessionId: string, requestId: string, message: string): Promise<TurnResult> {
  client.send({ action: 'send_message', requestId, sessionId, message });
  const frames = await client.untilTerminal();
  const final = frames.at(-1)!;
  expect(final.type, JSON.stringify(final)).toBe('eventual_response');
  expect(client.schemaViolations).toEqual([]);
  const citations = ((at(final, 'data.data.citations') as Array<{ id: string }> | undefined) ?? []).map((c) => c.id);
  return { reply: tokensOf(frames), citations, usage: at(final, 'data.data.usage'), escalate: at(final, 'data.data.needsEscalation'), final };
}

/** A two-turn conversation: a question, then the follow-up that only makes sense after it. */
async function conversation(setup: Setup = {}) {
  const { h, logs } = await boot(setup);
  const { client, sessionId } = await h.session();
  const first = await turn(client, sessionId, 'r1', FIRST);
  const followUp = await turn(client, sessionId, 'r2', FOLLOW_UP);
  return { h, logs, first, followUp };
}

/** The context block the turn's model call was given (the system messages after the prompt). */
function contextOf(req: RecordedRequest): string {
  return req.body.messages
    .slice(1)
    .filter((m) => m.role === 'system')
    .map((m) => String(m.content))
    .join('\n');
}

describe('query rewrite off (the default)', () => {
  it('makes exactly one gateway call per turn, and the raw follow-up does not find the refund timing', async () => {
    const { h, followUp } = await conversation();
    expect(h.gateway.requests).toHaveLength(2);
    expect(rewriteCalls(h)).toEqual([]);
    expect(followUp.citations).not.toContain('refund-timing.md');
    expect(contextOf(h.gateway.requests[1]!)).not.toContain('5 to 7 business days');
  });
});

describe('query rewrite on', () => {
  it('rewrites the follow-up from the conversation, retrieves with it and cites what it found', async () => {
    const { h, first, followUp } = await conversation({ rewrite: true });
    // The first message is standalone: no rewrite for it.
    expect(h.gateway.requests).toHaveLength(3);
    expect(isRewrite(h.gateway.requests[0]!)).toBe(false);
    const [rewrite] = rewriteCalls(h);
    expect(rewrite).toBe(h.gateway.requests[1]);
    expect(first.reply).toBe(FIRST_REPLY);

    const body = rewrite!.body;
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(String(body.messages[0]!.content)).toMatch(/standalone search query/);
    expect(String(body.messages[0]!.content)).toMatch(/language of the customer/);
    const user = String(body.messages[1]!.content);
    expect(user).toContain(`Customer: ${FIRST}`);
    expect(user).toContain(`Assistant: ${FIRST_REPLY}`);
    expect(user).toContain(`Latest message: ${FOLLOW_UP}`);
    expect(body.max_tokens).toBe(REWRITE_MAX_TOKENS);
    expect(body.tools).toBeUndefined();
    expect(body.model).toBe(h.gateway.requests[2]!.body.model);
    expect(rewrite!.headers.authorization).toBe(`Bearer ${KEY}`);

    // The turn's model call is the usual one: history plus the new message, with the rewrite's finds as context.
    const model = h.gateway.requests[2]!;
    expect(model.body.messages.at(-1)).toEqual({ role: 'user', content: FOLLOW_UP });
    expect(contextOf(model)).toContain('5 to 7 business days');
    expect(followUp.citations).toContain('refund-timing.md');
    expect(followUp.reply).toBe('It takes a few days.');
    // Both calls are the turn's usage: the scripted gateway reports 10 + 5 tokens per call.
    expect(followUp.usage).toEqual({ costUsd: 0, promptTokens: 20, completionTokens: 10 });
    expect(first.usage).toEqual({ costUsd: 0, promptTokens: 10, completionTokens: 5 });
  });

  it('runs the rewrite on SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_MODEL when it is set', async () => {
    harness = await startHarness(
      [],
      {
        knowledge: await knowledge(),
        env: { SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE: '1', SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_MODEL: 'small-fast-model', SMOOTH_AGENT_MODEL: 'big-model' },
        config: { authMode: 'none' },
      },
      { apiKey: KEY },
      { respond: (req) => ({ kind: 'text', text: isRewrite(req) ? REWRITTEN : 'ok' }), costUsd: 0.25 },
    );
    const { client, sessionId } = await harness.session();
    await turn(client, sessionId, 'r1', FIRST);
    const followUp = await turn(client, sessionId, 'r2', FOLLOW_UP);
    // The rewrite's cost (from the gateway's cost header) is the turn's too.
    expect(followUp.usage).toEqual({ costUsd: 0.5, promptTokens: 20, completionTokens: 10 });
    expect(rewriteCalls(harness).map((r) => r.body.model)).toEqual(['small-fast-model']);
    expect(modelCalls(harness).map((r) => r.body.model)).toEqual(['big-model', 'big-model']);
  });

  it('does not rewrite small talk, which searches for nothing', async () => {
    const { h } = await boot({ rewrite: true });
    const { client, sessionId } = await h.session();
    await turn(client, sessionId, 'r1', FIRST);
    const thanks = await turn(client, sessionId, 'r2', 'thanks a lot!');
    expect(rewriteCalls(h)).toEqual([]);
    expect(thanks.citations).toEqual([]);
  });
});

describe('query rewrite fallback', () => {
  const failures: Array<[string, Setup, RegExp]> = [
    ['a gateway error', { rewriteStep: { kind: 'error', status: 500 } }, /gateway returned 500/],
    ['a timeout', { rewriteStep: { kind: 'hang' }, timeoutMs: 300 }, /timeout|timed out|aborted/i],
    ['an empty answer', { rewriteStep: { kind: 'text', text: '' } }, /empty/],
    ['an answer that is prose, not a query', { rewriteStep: { kind: 'text', text: 'x'.repeat(MAX_QUERY_CHARS + 1) } }, /not one short query/],
  ];

  it.each(failures)('on %s the turn is the one it would have been without the rewrite', async (_name, setup, logged) => {
    const off = await conversation();
    const offModel = off.h.gateway.requests[1]!.body.messages;
    await off.h.close();
    harness = undefined;

    const on = await conversation({ rewrite: true, ...setup });
    expect(rewriteCalls(on.h).length).toBeGreaterThanOrEqual(1);
    const model = modelCalls(on.h);
    expect(model).toHaveLength(2);
    // Same model input, so the same answer; the same citations and escalation.
    expect(model[1]!.body.messages).toEqual(offModel);
    expect(on.followUp.reply).toBe(off.followUp.reply);
    expect(on.followUp.citations).toEqual(off.followUp.citations);
    expect(on.followUp.escalate).toEqual(off.followUp.escalate);
    // Logged as a warning naming the failure, never the key or what the customer wrote.
    const warnings = on.logs.filter((l) => l.includes('query rewrite failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(logged);
    expect(on.logs.join('\n')).not.toContain(KEY);
    expect(on.logs.join('\n')).not.toContain(FOLLOW_UP);
  });

  it('counts a completed but unusable rewrite in the usage, a failed one not', async () => {
    const empty = await conversation({ rewrite: true, rewriteStep: { kind: 'text', text: '   ' } });
    expect(empty.followUp.usage).toEqual({ costUsd: 0, promptTokens: 20, completionTokens: 10 });
    await empty.h.close();
    harness = undefined;
    const failed = await conversation({ rewrite: true, rewriteStep: { kind: 'error', status: 400 } });
    expect(failed.followUp.usage).toEqual({ costUsd: 0, promptTokens: 10, completionTokens: 5 });
  });
});

describe('query rewrite boundaries', () => {
  it('makes no call without an LLM key: the no-LLM turn quotes the knowledge base as before', async () => {
    const off = await conversation({ apiKey: undefined });
    await off.h.close();
    harness = undefined;
    const { h, first, followUp } = await conversation({ rewrite: true, apiKey: undefined });
    expect(h.gateway.requests).toEqual([]);
    expect(followUp.usage).toBeUndefined();
    expect(followUp.reply).not.toBe('');
    for (const [on, was] of [[first, off.first], [followUp, off.followUp]] as const) {
      expect(on.reply).toBe(was.reply);
      expect(on.citations).toEqual(was.citations);
      expect(on.escalate).toEqual(was.escalate);
    }
  });

  it('cancelling the turn cancels the rewrite, and the model is never called', async () => {
    const { h, logs } = await boot({ rewrite: true, timeoutMs: 30_000, rewriteStep: { kind: 'hang' } });
    const { client, sessionId } = await h.session();
    await turn(client, sessionId, 'r1', FIRST);
    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: FOLLOW_UP });
    await h.gateway.waitForRequests(2);
    expect(isRewrite(h.gateway.requests[1]!)).toBe(true);
    client.send({ action: 'cancel', requestId: 'c', sessionId });
    expect(await client.nextOfType('cancelled')).toMatchObject({ requestId: 'r2', status: 499 });
    await h.gateway.waitForClientClose(1, 3000);
    expect(h.gateway.requests[1]!.closedByClient).toBe(true);
    expect((await client.drainFor(200)).filter((f) => f.type !== 'pong')).toEqual([]);
    expect(h.gateway.requests).toHaveLength(2);
    // The customer cancelled: not a fault of the rewrite, so nothing is logged as one.
    expect(logs.filter((l) => l.includes('query rewrite failed'))).toEqual([]);
  });
});

describe('query rewrite pieces', () => {
  it('keeps the query line, without a label or quotes, and refuses empty or oversized answers', () => {
    expect(parseRewrite('  "kettle refund time"  ')).toBe('kettle refund time');
    expect(parseRewrite('Search query: kettle   refund time')).toBe('kettle refund time');
    expect(parseRewrite('\n\nkettle refund time\nBecause the customer asked…')).toBe('kettle refund time');
    expect(parseRewrite(' \n ')).toBeUndefined();
    expect(parseRewrite('""')).toBeUndefined();
    expect(parseRewrite('y'.repeat(MAX_QUERY_CHARS + 1))).toBeUndefined();
  });

  it('bounds the replayed conversation to the recent messages, each truncated', () => {
    const history = Array.from({ length: 10 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `message ${i} ${'z'.repeat(1000)}` }));
    const text = rewriteUserMessage(history, 'and then?');
    expect(text).not.toContain('message 3 ');
    for (let i = 10 - REWRITE_HISTORY_MESSAGES; i < 10; i++) expect(text).toContain(`message ${i} `);
    expect(text.length).toBeLessThan(REWRITE_HISTORY_MESSAGES * 450 + 200);
    expect(text).toMatch(/Latest message: and then\?/);
  });

  it('fuses the rewritten query first and fills up with the message’s own hits, without duplicates', () => {
    const hit = (chunkId: string, confidence: number): KnowledgeHit => ({ documentId: chunkId, chunkId, source: chunkId, text: chunkId, score: confidence, confidence });
    expect(fuseHits([hit('a', 0.6)], [hit('b', 1), hit('a', 0.9), hit('c', 0.5), hit('d', 0.5)], 3).map((h) => h.chunkId)).toEqual(['a', 'b', 'c']);
    expect(fuseHits([hit('a', 0.6), hit('b', 0.6), hit('c', 0.6), hit('d', 0.6)], [hit('e', 1)], 3).map((h) => h.chunkId)).toEqual(['a', 'b', 'c']);
    expect(fuseHits([], [hit('e', 1)], 3).map((h) => h.chunkId)).toEqual(['e']);
  });
});
