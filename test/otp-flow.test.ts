import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tool } from '../src/index.js';
import { adminRefusal, verificationRefusal } from '../src/otp/index.js';
import { MemoryStorage, type Storage } from '../src/storage/index.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import type { ScriptStep } from '../src/testing/index.js';
import { AGENT_ID, startHarness, tokensOf, type Harness } from './support/harness.js';
import { codeIn, startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { at, type Frame, type TestClient } from './support/ws-client.js';

const ran: string[] = [];
let harness: Harness | undefined;
let smtp: SmtpSink | undefined;
afterEach(async () => {
  ran.length = 0;
  await harness?.close();
  harness = undefined;
  await smtp?.close();
  smtp = undefined;
});

const tools: Tool[] = [
  { name: 'lookup_account', description: 'Look up the visitor account', parameters: { type: 'object' }, execute: async () => (ran.push('lookup_account'), 'Account: gold tier') },
  { name: 'reset_everything', description: 'Admin reset', parameters: { type: 'object' }, execute: async () => (ran.push('reset_everything'), 'Reset done') },
];

function agentsFile(visibility: 'public' | 'internal'): string {
  const dir = mkdtempSync(join(tmpdir(), 'so-otp-agents-'));
  const path = join(dir, 'agents.json');
  writeFileSync(
    path,
    JSON.stringify([
      {
        agentId: AGENT_ID,
        name: 'Gated',
        visibility,
        toolConfig: {
          enabledTools: [
            { toolId: 'lookup_account', enabled: true, authLevel: 'end_user' },
            { toolId: 'reset_everything', enabled: true, authLevel: 'admin' },
            { toolId: 'request_identity_intake', enabled: true, authLevel: 'none' },
          ],
        },
      },
    ]),
  );
  return path;
}

interface Clock {
  now: () => Date;
  advance(ms: number): void;
}
function clock(): Clock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => (offset += ms) };
}

async function boot(
  script: ScriptStep[],
  options: { visibility?: 'public' | 'internal'; smtp?: boolean; clock?: Clock; sends?: { session?: number; address?: number }; storage?: Storage } = {},
): Promise<Harness> {
  if (options.smtp !== false) smtp = await startSmtpSink();
  return startHarness(script, {
    tools,
    ...(options.clock ? { now: options.clock.now } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
    config: {
      agentsFile: agentsFile(options.visibility ?? 'public'),
      otp: {
        ...(smtp ? { smtpUrl: smtp.url, from: 'Support <support@example.com>' } : {}),
        maxSendsPerSession: options.sends?.session ?? 3,
        maxSendsPerAddress: options.sends?.address ?? 5,
        sendWindowMs: 3_600_000,
      },
    },
  });
}

async function session(client: TestClient, email?: string): Promise<string> {
  const created = await client.request({
    action: 'create_conversation_session',
    requestId: 'create',
    agentId: AGENT_ID,
    userName: 'Alice',
    ...(email ? { userEmail: email } : {}),
    supports: ['identity_form'],
  });
  return (created.data as { sessionId: string }).sessionId;
}

async function turn(client: TestClient, sessionId: string, requestId: string): Promise<Frame[]> {
  client.send({ action: 'send_message', requestId, sessionId, message: 'what is my account tier?' });
  return client.untilTerminal();
}

const toolResults = (frames: Frame[]) =>
  frames.map((f) => at(f, 'data.state.rawResponse.toolResult') as { name: string; isError: boolean; result: string } | undefined).filter(Boolean);

const gated = (n: number): ScriptStep[] =>
  Array.from({ length: n }, () => [
    { kind: 'toolCall' as const, name: 'lookup_account', arguments: '{}' },
    { kind: 'text' as const, text: 'Please enter the code I sent.' },
  ]).flat();

async function verify(client: TestClient, sessionId: string, code: string, requestId = 'v'): Promise<Frame> {
  return client.request({ action: 'verify_otp', requestId, sessionId, code });
}

describe('OTP verification through a real SMTP server', () => {
  it('identity from identity_intake becomes the contact; a refused gated tool mails a code; a wrong code is counted, the right one verifies and the tool then runs', async () => {
    const storage = new MemoryStorage();
    harness = await boot(
      [
        { kind: 'toolCall', name: 'request_identity_intake', arguments: JSON.stringify({ fields: [{ key: 'email', required: true }], reason: 'to verify you' }) },
        { kind: 'text', text: 'Thanks.' },
        ...gated(1),
        { kind: 'toolCall', name: 'lookup_account', arguments: '{}' },
        { kind: 'text', text: 'You are gold tier.' },
      ],
      { storage },
    );
    const client = await harness.connect();
    const sessionId = await session(client);
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'hi' });
    const parked = await client.nextOfType('interaction_required');
    client.send({ action: 'submit_interaction', requestId: 'r1', sessionId, interactionId: at(parked, 'data.data.interactionId'), values: { email: 'Bob.Smith@Example.com' } });
    await client.untilTerminal();

    const frames = await turn(client, sessionId, 'r2');
    const types = frames.map((f) => f.type);
    expect(types.indexOf('otp_verification_required')).toBeLessThan(types.indexOf('otp_sent'));
    const required = frames.find((f) => f.type === 'otp_verification_required')!;
    expect(at(required, 'requestId')).toBe('r2');
    expect(at(required, 'data.data')).toMatchObject({ toolId: 'lookup_account', availableChannels: ['email'], authLevel: 'end_user' });
    expect(at(frames.find((f) => f.type === 'otp_sent'), 'data.data')).toEqual({ channel: 'email', maskedDestination: 'B***@Example.com' });
    expect(toolResults(frames)[0]).toMatchObject({ isError: true, result: `blocked by hook: ${verificationRefusal('lookup_account')}` });
    expect(ran).not.toContain('lookup_account');

    const mail = await smtp!.nextMail();
    expect(mail.to.map((a) => a.toLowerCase())).toEqual(['bob.smith@example.com']);
    expect(mail.from).toBe('support@example.com');
    const code = codeIn(mail);
    const wrong = code === '000000' ? '111111' : '000000';
    const invalid = await verify(client, sessionId, wrong, 'v1');
    expect(invalid).toMatchObject({ type: 'otp_invalid', requestId: 'v1', data: { data: { error: 'INVALID_CODE', attemptsRemaining: 4 } } });
    expect((await storage.getSession(sessionId))?.verified).not.toBe(true);
    const ok = await verify(client, sessionId, code, 'v2');
    expect(ok).toMatchObject({ type: 'otp_verified', requestId: 'v2', data: { data: { message: 'Identity verified successfully.' } } });
    expect((await storage.getSession(sessionId))?.verified).toBe(true);
    // A code is single-use.
    expect(await verify(client, sessionId, code, 'v3')).toMatchObject({ type: 'otp_invalid', data: { data: { error: 'NOT_FOUND', attemptsRemaining: 0 } } });

    const after = await turn(client, sessionId, 'r3');
    expect(toolResults(after)[0]).toEqual({ name: 'lookup_account', isError: false, result: 'Account: gold tier' });
    expect(tokensOf(after)).toBe('You are gold tier.');
    expect(client.schemaViolations).toEqual([]);
  });

  it('stores only a salted hash: neither the code nor the address is in the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-otp-pglite-'));
    const storage = await PgliteStorage.open({ dataDir: dir });
    harness = await boot(gated(1), { storage });
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    await turn(client, sessionId, 'r');
    const code = codeIn(await smtp!.nextMail());
    const rows = await storage.database.query<{ body: string }>(
      "SELECT body::text AS body FROM otp_challenges UNION ALL SELECT key || ' ' || bucket AS body FROM otp_sends",
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const dump = rows.map((r) => r.body).join('\n');
    expect(dump).not.toContain(code);
    expect(dump).not.toContain('alice@example.com');
    expect(dump).toMatch(/"codeHash": ?"[0-9a-f]{64}"/);
    expect(await verify(client, sessionId, ` ${code} `)).toMatchObject({ type: 'otp_verified' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new address from identity_intake voids the code sent to the old one and any earlier verification', async () => {
    const storage = new MemoryStorage();
    const intake = JSON.stringify({ fields: [{ key: 'email', required: true }], reason: 'r' });
    harness = await boot(
      [...gated(1), { kind: 'toolCall', name: 'request_identity_intake', arguments: intake }, { kind: 'text', text: 'ok' }],
      { storage },
    );
    const client = await harness.connect();
    const sessionId = await session(client, 'owner@example.com');
    await turn(client, sessionId, 'r1');
    const code = codeIn(await smtp!.nextMail());
    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'change my email' });
    const parked = await client.nextOfType('interaction_required');
    client.send({ action: 'submit_interaction', requestId: 'r2', sessionId, interactionId: at(parked, 'data.data.interactionId'), values: { email: 'victim@example.com' } });
    await client.untilTerminal();
    expect((await storage.getSession(sessionId))?.contact?.email).toBe('victim@example.com');
    expect(await verify(client, sessionId, code)).toMatchObject({ type: 'otp_invalid', data: { data: { error: 'NOT_FOUND' } } });
    expect((await storage.getSession(sessionId))?.verified).not.toBe(true);
  });

  it('an expired code is refused (10 minutes)', async () => {
    const time = clock();
    harness = await boot(gated(1), { clock: time });
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    await turn(client, sessionId, 'r');
    const code = codeIn(await smtp!.nextMail());
    time.advance(10 * 60_000 + 1000);
    expect(await verify(client, sessionId, code)).toMatchObject({ type: 'otp_invalid', data: { data: { error: 'EXPIRED', attemptsRemaining: 0 } } });
    expect(await verify(client, sessionId, code)).toMatchObject({ type: 'otp_invalid', data: { data: { error: 'NOT_FOUND' } } });
  });

  it('five wrong attempts lock the code, even against the right one', async () => {
    harness = await boot(gated(1));
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    await turn(client, sessionId, 'r');
    const code = codeIn(await smtp!.nextMail());
    const wrong = code === '999999' ? '888888' : '999999';
    const remaining: number[] = [];
    let last: Frame | undefined;
    for (let i = 0; i < 5; i++) {
      last = await verify(client, sessionId, wrong, `v${i}`);
      remaining.push(at(last, 'data.data.attemptsRemaining') as number);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(at(last, 'data.data.error')).toBe('MAX_ATTEMPTS');
    expect(await verify(client, sessionId, code, 'v-right')).toMatchObject({ type: 'otp_invalid', data: { data: { error: 'MAX_ATTEMPTS', attemptsRemaining: 0 } } });
  });

  it('sends are limited per session and per address', async () => {
    harness = await boot(gated(4), { sends: { session: 2, address: 3 } });
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    const sent: boolean[] = [];
    for (const rid of ['a', 'b', 'c']) {
      const frames = await turn(client, sessionId, rid);
      sent.push(frames.some((f) => f.type === 'otp_sent'));
      if (rid === 'c') expect(toolResults(frames)[0]!.result).toContain('sent recently');
    }
    expect(sent).toEqual([true, true, false]);
    expect(smtp!.mails).toHaveLength(2);
    // Another session for the same address (any casing) gets one more, then the address is capped.
    const other = await session(client, 'ALICE@example.com');
    expect((await turn(client, other, 'd')).some((f) => f.type === 'otp_sent')).toBe(true);
    await harness.close();
    harness = undefined;
  });

  it('the per-address cap holds across sessions', async () => {
    harness = await boot(gated(3), { sends: { session: 5, address: 2 } });
    const client = await harness.connect();
    const results: boolean[] = [];
    for (const rid of ['a', 'b', 'c']) {
      const sessionId = await session(client, 'shared@example.com');
      results.push((await turn(client, sessionId, rid)).some((f) => f.type === 'otp_sent'));
    }
    expect(results).toEqual([true, true, false]);
  });
});

describe('auth gate', () => {
  it('without SMTP, an unverified session is refused with the reference text and no OTP events; verify_otp says nothing is in progress', async () => {
    harness = await boot(gated(1), { smtp: false });
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    const frames = await turn(client, sessionId, 'r');
    expect(frames.map((f) => f.type)).not.toContain('otp_verification_required');
    expect(toolResults(frames)[0]).toMatchObject({
      isError: true,
      result: "blocked by hook: I need to verify your identity before I can use lookup_account. Please verify with a one-time code.",
    });
    expect(ran).not.toContain('lookup_account');
    expect(await verify(client, sessionId, '123456')).toMatchObject({
      type: 'otp_invalid',
      data: { data: { error: 'NOT_FOUND', attemptsRemaining: 0, message: 'No verification is in progress for this session.' } },
    });
  });

  it('with SMTP but no contact address, the gate only refuses', async () => {
    harness = await boot(gated(1));
    const client = await harness.connect();
    const sessionId = await session(client);
    const frames = await turn(client, sessionId, 'r');
    expect(frames.map((f) => f.type)).not.toContain('otp_verification_required');
    expect(toolResults(frames)[0]!.result).toBe(`blocked by hook: ${verificationRefusal('lookup_account')}`);
    expect(smtp!.mails).toEqual([]);
  });

  it('a public agent never offers admin tools, and refuses one the model calls anyway', async () => {
    ran.length = 0;
    harness = await boot([{ kind: 'toolCall', name: 'reset_everything', arguments: '{}' }, { kind: 'text', text: 'I cannot do that.' }], { smtp: false });
    const client = await harness.connect();
    const sessionId = await session(client, 'alice@example.com');
    const frames = await turn(client, sessionId, 'r');
    const offered = harness.gateway.requests[0]!.body.tools?.map((t) => t.function.name) ?? [];
    expect(offered).toContain('lookup_account');
    expect(offered).not.toContain('reset_everything');
    expect(toolResults(frames)[0]).toMatchObject({
      isError: true,
      result: "blocked by hook: Tool 'reset_everything' requires admin authentication and is not available on public-facing agents.",
    });
    expect(adminRefusal('x')).toBe("Tool 'x' requires admin authentication and is not available on public-facing agents.");
    expect(ran).toEqual([]);
  });

  it('an internal agent offers admin tools and runs gated tools without verification', async () => {
    ran.length = 0;
    harness = await boot(
      [
        { kind: 'toolCalls', calls: [{ name: 'reset_everything', arguments: '{}' }, { name: 'lookup_account', arguments: '{}' }] },
        { kind: 'text', text: 'Done.' },
      ],
      { visibility: 'internal', smtp: false },
    );
    const client = await harness.connect();
    const sessionId = await session(client);
    const frames = await turn(client, sessionId, 'r');
    expect(harness.gateway.requests[0]!.body.tools?.map((t) => t.function.name)).toContain('reset_everything');
    expect(toolResults(frames).map((r) => r!.isError)).toEqual([false, false]);
    expect(ran).toEqual(['reset_everything', 'lookup_account']);
  });

  it('verify_otp validates its frame', async () => {
    harness = await boot([], { smtp: false });
    const client = await harness.connect();
    const sessionId = await session(client);
    expect(await client.request({ action: 'verify_otp', requestId: 'v', sessionId })).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    expect(await client.request({ action: 'verify_otp', requestId: 'v', sessionId, code: 123456 })).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    expect(await client.request({ action: 'verify_otp', requestId: 'v', sessionId: crypto.randomUUID(), code: '1' })).toMatchObject({
      type: 'error',
      error: { code: 'SESSION_NOT_FOUND' },
    });
  });
});
