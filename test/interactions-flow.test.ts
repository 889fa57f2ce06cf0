import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp, defaultConfig, startServer } from '../src/index.js';
import { silentLogger } from '../src/server/logger.js';
import { MemoryStorage } from '../src/storage/index.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { startScriptedGateway, type ScriptedGateway, type ScriptStep } from '../src/testing/index.js';
import { AGENT_ID, startHarness, tokensOf, type Harness } from './support/harness.js';
import { at, TestClient, type Frame } from './support/ws-client.js';

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

const INTAKE_ARGS = JSON.stringify({
  fields: [
    { key: 'name', required: false },
    { key: 'email', required: true },
    { key: 'phone', required: false, label: 'Mobile' },
  ],
  reason: 'to send you the quote',
});
const CHOICE_ARGS = JSON.stringify({
  reason: 'to find the right plan',
  questions: [
    { question: 'Which plan?', header: 'Plan', options: [{ label: 'Basic' }, { label: 'Pro', description: 'for teams' }] },
    { question: 'Which add-ons?', header: 'Add-ons', multiSelect: true, options: [{ label: 'Backup' }, { label: 'Support' }, { label: 'Audit' }] },
  ],
});

const intakeScript = (): ScriptStep[] => [
  { kind: 'toolCall', name: 'request_identity_intake', arguments: INTAKE_ARGS },
  { kind: 'text', text: 'Thanks, got it.' },
];

async function open(client: TestClient, supports?: string[]): Promise<string> {
  const created = await client.request({
    action: 'create_conversation_session',
    requestId: 'create',
    agentId: AGENT_ID,
    userName: 'Alice',
    ...(supports ? { supports } : {}),
  });
  return (created.data as { sessionId: string }).sessionId;
}

/** Sends a message and returns the interaction_required it parks on (frames before it are checked). */
async function parkOn(client: TestClient, sessionId: string, requestId = 'r-msg'): Promise<Frame> {
  client.send({ action: 'send_message', requestId, sessionId, message: 'send me a quote' });
  expect((await client.nextOfType('immediate_response')).status).toBe(202);
  const parked = await client.next();
  expect(parked.type).toBe('interaction_required');
  const call = await client.next();
  expect(at(call, 'data.state.rawResponse.toolCall.name')).toBeDefined();
  return parked;
}

const toolMessages = (gateway: ScriptedGateway) =>
  gateway.requests.flatMap((r) => r.body.messages.filter((m) => m.role === 'tool').map((m) => String(m.content)));

describe('identity_intake', () => {
  it('parks, reports invalid values per field while staying parked, then resumes with the validated payload and sets the contact', async () => {
    const storage = new MemoryStorage();
    harness = await startHarness(intakeScript(), { storage });
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form']);
    const parked = await parkOn(client, sessionId);
    expect(at(parked, 'requestId')).toBe('r-msg');
    expect(at(parked, 'data.data.kind')).toBe('identity_intake');
    expect(at(parked, 'data.data.reason')).toBe('to send you the quote');
    expect(at(parked, 'data.data.spec')).toEqual({
      fields: [
        { key: 'name', required: false },
        { key: 'email', required: true },
        { key: 'phone', required: false, label: 'Mobile' },
      ],
    });
    const interactionId = at(parked, 'data.data.interactionId') as string;

    // Missing required email, a bad phone, and a field that was never asked for.
    client.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values: { name: 'Alice', phone: '12', ssn: '123-45-6789' } });
    const invalid = await client.next();
    expect(invalid.type).toBe('interaction_invalid');
    expect(at(invalid, 'data.data.interactionId')).toBe(interactionId);
    const errors = at(invalid, 'data.data.errors') as Array<{ field: string }>;
    expect(errors.map((e) => e.field).sort()).toEqual(['email', 'phone', 'ssn']);
    client.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values: { email: 'not-an-email' } });
    expect(at(await client.next(), 'data.data.errors')).toEqual([{ field: 'email', message: expect.stringContaining('valid email') }]);
    expect(await client.drainFor(150)).toEqual([]); // still parked: nothing streams

    client.send({
      action: 'submit_interaction',
      requestId: 'r-msg',
      sessionId,
      interactionId,
      kind: 'identity_intake',
      values: { name: '  Alice Example ', email: 'alice@example.com', phone: '+1 (415) 555-0132' },
    });
    const ack = await client.next();
    expect(ack).toMatchObject({ type: 'immediate_response', status: 200, data: { interactionId, status: 'submitted' } });
    const frames = await client.untilTerminal();
    expect(at(frames[0], 'data.state.rawResponse.toolResult')).toMatchObject({ name: 'request_identity_intake', isError: false });
    expect(tokensOf(frames)).toBe('Thanks, got it.');
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(JSON.parse(toolMessages(harness.gateway)[0]!)).toEqual({
      status: 'submitted',
      values: { name: 'Alice Example', email: 'alice@example.com', phone: '+14155550132' },
    });
    expect((await storage.getSession(sessionId))?.contact).toEqual({ name: 'Alice Example', email: 'alice@example.com', phone: '+14155550132' });
    expect(client.schemaViolations).toEqual([]);
  });

  it('a decline resumes the turn with a declined (non-error) result', async () => {
    harness = await startHarness(intakeScript());
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form', 'choice_chips']);
    const interactionId = at(await parkOn(client, sessionId), 'data.data.interactionId') as string;
    client.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, declined: true, values: { email: 'ignored' } });
    expect(await client.next()).toMatchObject({ type: 'immediate_response', status: 200, data: { status: 'declined' } });
    const frames = await client.untilTerminal();
    expect(at(frames[0], 'data.state.rawResponse.toolResult.isError')).toBe(false);
    expect(JSON.parse(toolMessages(harness.gateway)[0]!)).toMatchObject({ status: 'declined', message: expect.any(String) });
    expect(frames.at(-1)!.type).toBe('eventual_response');
  });

  it('a stale, mismatched or unprompted submit is refused and never resolves the park', async () => {
    harness = await startHarness(intakeScript());
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form']);
    const nothing = await client.request({ action: 'submit_interaction', requestId: 'r-x', sessionId, interactionId: 'i-1', values: {} });
    expect(nothing).toMatchObject({ type: 'error', error: { code: 'NO_PENDING_INTERACTION' } });

    const interactionId = at(await parkOn(client, sessionId), 'data.data.interactionId') as string;
    const values = { email: 'alice@example.com' };
    const wrongId = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId: 'stale-id', values });
    expect(wrongId).toMatchObject({ type: 'error', error: { code: 'INTERACTION_MISMATCH' } });
    const wrongKind = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, kind: 'choices', values });
    expect(wrongKind).toMatchObject({ type: 'error', error: { code: 'INTERACTION_MISMATCH' } });
    const wrongRequest = await client.request({ action: 'submit_interaction', requestId: 'r-other', sessionId, interactionId, values });
    expect(wrongRequest).toMatchObject({ type: 'error', error: { code: 'INTERACTION_MISMATCH' } });
    const malformed = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, values });
    expect(malformed).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    const noValues = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId });
    expect(noValues).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    // Another visitor's connection cannot see the session at all.
    const stranger = await harness.connect();
    const foreign = await stranger.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId: crypto.randomUUID(), interactionId, values });
    expect(foreign).toMatchObject({ type: 'error', error: { code: 'SESSION_NOT_FOUND' } });

    client.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values });
    expect((await client.nextOfType('immediate_response')).status).toBe(200);
    expect((await client.untilTerminal()).at(-1)!.type).toBe('eventual_response');
    const replay = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values });
    expect(replay).toMatchObject({ type: 'error', error: { code: 'NO_PENDING_INTERACTION' } });
  });

  it('a client that did not declare identity_form gets the conversational fallback, not a card', async () => {
    harness = await startHarness([
      { kind: 'toolCall', name: 'request_identity_intake', arguments: INTAKE_ARGS },
      { kind: 'text', text: 'What is your email address?' },
    ]);
    const client = await harness.connect();
    const sessionId = await open(client, ['choice_chips']); // chips only: no form
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'quote?' });
    const frames = await client.untilTerminal();
    expect(frames.map((f) => f.type)).not.toContain('interaction_required');
    const result = frames.map((f) => at(f, 'data.state.rawResponse.toolResult')).find(Boolean) as { isError: boolean; result: string };
    expect(result.isError).toBe(false);
    expect(result.result).toMatch(/plain text/);
    expect(result.result).toContain('email address (required)');
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(tokensOf(frames)).toBe('What is your email address?');
  });

  it('malformed raise arguments are an error result for the model, and nothing parks', async () => {
    harness = await startHarness([
      { kind: 'toolCall', name: 'request_identity_intake', arguments: '{"fields":[{"key":"ssn","required":true}],"reason":"x"}' },
      { kind: 'text', text: 'Sorry.' },
    ]);
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form']);
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'quote?' });
    const frames = await client.untilTerminal();
    expect(frames.map((f) => f.type)).not.toContain('interaction_required');
    const result = frames.map((f) => at(f, 'data.state.rawResponse.toolResult')).find(Boolean) as { isError: boolean };
    expect(result.isError).toBe(true);
    expect(frames.at(-1)!.type).toBe('eventual_response');
  });

  it('a parked turn outlives its connection: a submit from a new connection finishes it there', async () => {
    harness = await startHarness(intakeScript());
    const first = await harness.connect();
    const sessionId = await open(first, ['identity_form']);
    const interactionId = at(await parkOn(first, sessionId), 'data.data.interactionId') as string;
    await first.close();
    const second = await harness.connect();
    second.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values: { email: 'alice@example.com' } });
    expect((await second.nextOfType('immediate_response')).status).toBe(200);
    const frames = await second.untilTerminal();
    expect(frames.every((f) => f.requestId === 'r-msg')).toBe(true);
    expect(tokensOf(frames)).toBe('Thanks, got it.');
    expect(frames.at(-1)!.type).toBe('eventual_response');
  });

  it('a cancel discards the park', async () => {
    harness = await startHarness(intakeScript());
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form']);
    const interactionId = at(await parkOn(client, sessionId), 'data.data.interactionId') as string;
    client.send({ action: 'cancel', requestId: 'c', sessionId });
    expect((await client.nextOfType('cancelled')).type).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 50));
    const late = await client.request({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values: { email: 'a@b.co' } });
    expect(late).toMatchObject({ type: 'error', error: { code: 'NO_PENDING_INTERACTION' } });
  });

  it('an unanswered interaction times out as no_response and the turn completes', async () => {
    harness = await startHarness(intakeScript(), { config: { interactionTimeoutMs: 200 } });
    const client = await harness.connect();
    const sessionId = await open(client, ['identity_form']);
    await parkOn(client, sessionId);
    const frames = await client.untilTerminal();
    expect(at(frames[0], 'data.state.rawResponse.toolResult.isError')).toBe(false);
    expect(JSON.parse(toolMessages(harness.gateway)[0]!)).toMatchObject({ status: 'no_response' });
    expect(frames.at(-1)!.type).toBe('eventual_response');
  });
});

describe('choices', () => {
  it('parks with the questions, validates picks, and resumes with normalized answers', async () => {
    harness = await startHarness([{ kind: 'toolCall', name: 'request_choices', arguments: CHOICE_ARGS }, { kind: 'text', text: 'Pro it is.' }]);
    const client = await harness.connect();
    const sessionId = await open(client, ['choice_chips']);
    const parked = await parkOn(client, sessionId);
    expect(at(parked, 'data.data.kind')).toBe('choices');
    expect(at(parked, 'data.data.spec.questions.1')).toEqual({
      question: 'Which add-ons?',
      header: 'Add-ons',
      multiSelect: true,
      options: [{ label: 'Backup' }, { label: 'Support' }, { label: 'Audit' }],
    });
    const interactionId = at(parked, 'data.data.interactionId') as string;
    const submit = (values: unknown) => client.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values });

    submit({ answers: [{ header: 'Plan', options: ['Basic', 'Pro'] }, { header: 'Add-ons', options: ['Backup'] }] });
    expect(at(await client.next(), 'data.data.errors')).toEqual([{ field: 'Plan', message: expect.stringMatching(/only one/) }]);
    submit({ answers: [{ header: 'Plan', options: ['Enterprise'] }] });
    const errs = at(await client.next(), 'data.data.errors') as Array<{ field: string }>;
    expect(errs.map((e) => e.field).sort()).toEqual(['Add-ons', 'Plan']);
    submit({ answers: 'Pro' });
    expect((await client.next()).type).toBe('interaction_invalid');

    submit({ answers: [{ header: 'Add-ons', options: ['Audit', 'Backup'], other: '  ' }, { header: 'Plan', options: [], other: ' Something custom ' }] });
    expect((await client.nextOfType('immediate_response')).status).toBe(200);
    const frames = await client.untilTerminal();
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(JSON.parse(toolMessages(harness.gateway)[0]!)).toEqual({
      status: 'submitted',
      values: { answers: [{ header: 'Plan', other: 'Something custom' }, { header: 'Add-ons', options: ['Audit', 'Backup'] }] },
    });
    expect(client.schemaViolations).toEqual([]);
  });

  it('without choice_chips the model is told to list the options in plain text', async () => {
    harness = await startHarness([{ kind: 'toolCall', name: 'request_choices', arguments: CHOICE_ARGS }, { kind: 'text', text: 'Basic or Pro?' }]);
    const client = await harness.connect();
    const sessionId = await open(client);
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'plans?' });
    const frames = await client.untilTerminal();
    expect(frames.map((f) => f.type)).not.toContain('interaction_required');
    const result = frames.map((f) => at(f, 'data.state.rawResponse.toolResult')).find(Boolean) as { isError: boolean; result: string };
    expect(result.isError).toBe(false);
    expect(result.result).toContain('Basic / Pro');
  });
});

describe('a parked interaction survives a restart (pglite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'so-interaction-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('parks on one server process, and a submit to the next one finishes the turn from storage', async () => {
    const gateway = await startScriptedGateway({ script: intakeScript() });
    cleanups.push(() => gateway.close());
    const boot = async () => {
      const config = defaultConfig({
        port: 0,
        gateway: { baseUrl: gateway.url, apiKey: 'test-key', maxRetries: 0, idleTimeoutMs: 5000 },
        drainTimeoutMs: 200,
      });
      const app = await createApp(config, { storage: await PgliteStorage.open({ dataDir }), logger: silentLogger() });
      return startServer(app);
    };
    const before = await boot();
    const first = await TestClient.connect(before.wsUrl);
    const sessionId = await open(first, ['identity_form']);
    const interactionId = at(await parkOn(first, sessionId), 'data.data.interactionId') as string;
    await before.close(); // shutdown releases the parked turn, keeping its record and checkpoint

    const after = await boot();
    cleanups.push(() => after.close());
    const second = await TestClient.connect(after.wsUrl);
    cleanups.push(async () => second.ws.terminate());
    second.send({ action: 'submit_interaction', requestId: 'r-msg', sessionId, interactionId, values: { name: 'Alice', email: 'alice@example.com' } });
    expect(await second.nextOfType('immediate_response')).toMatchObject({ status: 200 });
    const frames = await second.untilTerminal();
    expect(at(frames[0], 'data.state.rawResponse.toolResult')).toMatchObject({ name: 'request_identity_intake', isError: false });
    expect(tokensOf(frames)).toBe('Thanks, got it.');
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(JSON.parse(toolMessages(gateway)[0]!)).toEqual({ status: 'submitted', values: { name: 'Alice', email: 'alice@example.com' } });
  });
});
