import { afterEach, describe, expect, it } from 'vitest';
import { connect, isSmoothAgentError, replyOf, type AgentEvent, type SmoothAgentClient } from '../src/client/node.js';
import { AGENT_ID, startHarness, type Harness } from './support/harness.js';
import { codeIn, startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let harness: Harness | undefined;
let client: SmoothAgentClient | undefined;
let smtp: SmtpSink | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await harness?.close();
  harness = undefined;
  await smtp?.close();
  smtp = undefined;
});

describe('client SDK: interactions and OTP', () => {
  it('follows a parked turn: invalid values come back as field errors, a valid submit resumes the same Turn', async () => {
    harness = await startHarness([
      { kind: 'toolCall', name: 'request_identity_intake', arguments: JSON.stringify({ fields: [{ key: 'email', required: true }], reason: 'to reply' }) },
      { kind: 'text', text: 'Noted.' },
    ]);
    client = await connect({ url: harness.server.wsUrl, agentId: AGENT_ID });
    await client.createConversationSession({ supports: ['identity_form'] });
    const turn = client.sendMessage('hello');
    const seen: AgentEvent[] = [];
    let parked: Extract<AgentEvent, { type: 'interaction_required' }> | undefined;
    const iterate = (async () => {
      for await (const event of turn) {
        seen.push(event);
        if (event.type === 'interaction_required') parked = event;
      }
    })();
    while (!parked) await new Promise((r) => setTimeout(r, 10));
    expect(turn.status).toBe('awaiting_interaction');
    const { interactionId } = parked.data.data;

    const invalid = await client.submitInteraction({ requestId: turn.requestId, interactionId, values: { email: 'nope' } });
    expect(invalid).toMatchObject({ status: 'invalid', errors: [{ field: 'email' }] });
    expect(invalid.turn).toBe(turn);
    expect(turn.done).toBe(false);

    const mismatch = await client.submitInteraction({ requestId: turn.requestId, interactionId: 'old', values: {} }).catch((e: unknown) => e);
    expect(isSmoothAgentError(mismatch, 'INTERACTION_MISMATCH')).toBe(true);
    expect(turn.done).toBe(false); // the refusal is the submit's answer, not the turn's end

    const ok = await client.submitInteraction({ requestId: turn.requestId, interactionId, values: { email: 'a@example.com' } });
    expect(ok.status).toBe('submitted');
    expect(replyOf(await turn)).toBe('Noted.');
    await iterate;
    // The submit's own answers (acks, interaction_invalid) are not the turn's events.
    expect(seen.filter((e) => e.type === 'immediate_response').map((e) => (e as { status?: number }).status)).toEqual([202]);
    expect(seen.map((e) => e.type)).not.toContain('interaction_invalid');
  });

  it('verifyOtp resolves with the verdict', async () => {
    smtp = await startSmtpSink();
    const dir = mkdtempSync(join(tmpdir(), 'so-client-otp-'));
    const agents = join(dir, 'agents.json');
    writeFileSync(agents, JSON.stringify([{ agentId: AGENT_ID, visibility: 'public', toolConfig: { enabledTools: [{ toolId: 'lookup', enabled: true, authLevel: 'end_user' }] } }]));
    harness = await startHarness([{ kind: 'toolCall', name: 'lookup', arguments: '{}' }, { kind: 'text', text: 'Check your email.' }], {
      tools: [{ name: 'lookup', description: 'd', parameters: { type: 'object' }, execute: async () => 'ok' }],
      config: { agentsFile: agents, otp: { smtpUrl: smtp.url, from: 'a@example.com', maxSendsPerSession: 3, maxSendsPerAddress: 3, sendWindowMs: 60_000 } },
    });
    client = await connect({ url: harness.server.wsUrl, agentId: AGENT_ID });
    await client.createConversationSession({ userEmail: 'visitor@example.com' });
    const turn = client.sendMessage('my account');
    const events: AgentEvent[] = [];
    for await (const event of turn) events.push(event);
    const required = events.find((e) => e.type === 'otp_verification_required');
    expect(required).toBeDefined();
    const code = codeIn(await smtp.nextMail());
    expect(await client.verifyOtp({ code: '0000000', requestId: turn.requestId })).toMatchObject({ verified: false, error: 'INVALID_CODE', attemptsRemaining: 4 });
    expect(await client.verifyOtp({ code })).toEqual({ verified: true, message: 'Identity verified successfully.' });
  });
});
