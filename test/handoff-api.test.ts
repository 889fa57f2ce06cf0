import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { extensionSchemaErrors } from './support/spec.js';
import { TestClient, type Frame } from './support/ws-client.js';
import { adminCall } from './support/admin-http.js';

const secret = 'handoff-api-secret-handoff-api-secret';
const auth = { authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };
const sign = (sub: string, org: string, role: string, name?: string) =>
  new SignJWT({ org, role, ...(name ? { name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

let harness: Harness | undefined;
const sockets: TestClient[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await harness?.close();
  harness = undefined;
});

async function api(method: string, path: string, token?: string, body?: unknown) {
  return adminCall(harness!.server.httpUrl, method, path, token, body);
}

async function socket(token?: string): Promise<TestClient> {
  const client = await TestClient.connect(token ? `${harness!.server.wsUrl}?token=${token}` : harness!.server.wsUrl);
  sockets.push(client);
  return client;
}

async function visitor(): Promise<{ client: TestClient; sessionId: string; conversationId: string }> {
  const client = await socket();
  const created = await client.request({ action: 'create_conversation_session', requestId: 'c', userName: 'Vera' });
  return { client, ...(created.data as { sessionId: string; conversationId: string }) };
}

async function console_(token: string): Promise<TestClient> {
  const client = await socket(token);
  const subscribed = await client.request({ action: 'operator_subscribe', requestId: 'sub' });
  expect(subscribed.type).toBe('immediate_response');
  expect(subscribed.status).toBe(200);
  return client;
}

function expectExtension(frame: Frame): void {
  expect(extensionSchemaErrors(`events/${frame.type.replaceAll('_', '-')}.schema.json`, frame)).toBeUndefined();
}

describe('handoff to a person over the operator API', () => {
  it('visitor asks for a person → waiting → takeover → operator reply reaches the visitor → AI silent → handback → AI answers', async () => {
    harness = await startHarness([{ kind: 'text', text: 'The AI is back.' }], { config: auth });
    const curator = await sign('op-1', 'default', 'curator', 'Olga Operator');
    const operator = await console_(curator);
    const { client, sessionId, conversationId } = await visitor();

    const requested = await client.request({ action: 'request_human', requestId: 'h1', sessionId, reason: 'billing question' });
    expect(requested).toMatchObject({ type: 'immediate_response', status: 200, data: { conversationId, state: 'waiting', available: true } });
    // Pushed before the reply: every socket of the session hears it, this one included.
    const waiting = client.frames.find((f) => f.type === 'handoff_state')!;
    expect(waiting.data).toEqual({ conversationId, state: 'waiting', available: true });
    expectExtension(waiting);
    const update = await operator.next((f) => f.type === 'handoff_update' && (f.data as { state: string }).state === 'waiting');
    expectExtension(update);

    const queue = await api('GET', '/admin/handoffs', curator);
    expect(queue.status).toBe(200);
    expect(queue.body!.handoffs).toEqual([expect.objectContaining({ conversationId, state: 'waiting', trigger: 'visitor', reason: 'billing question' })]);
    expect(queue.body!.availability).toEqual({ available: true, reason: null, operatorsOnline: 1 });
    // Conversations are addressed by conversation id; the visitor's session id (their only key) never leaves.
    expect(queue.text).not.toContain(sessionId);

    // While a person is asked for, the AI does not answer: the message is stored and goes to the console.
    const turn = client.request({ action: 'send_message', requestId: 't1', sessionId, message: 'Are you there?' });
    await turn;
    const terminal = (await client.untilTerminal()).at(-1)!;
    expect(terminal.type).toBe('eventual_response');
    const inner = (terminal.data as { data: { needsEscalation: boolean; response: { responseParts: string[] } } }).data;
    expect(inner.needsEscalation).toBe(true);
    expect(inner.response.responseParts).toEqual(['']);
    const delivered = await operator.nextOfType('handoff_message');
    expect((delivered.data as { message: { text: string; direction: string } }).message).toMatchObject({ text: 'Are you there?', direction: 'inbound' });
    expectExtension(delivered);

    const takeover = await api('POST', `/admin/conversations/${conversationId}/takeover`, curator);
    expect(takeover.status).toBe(200);
    expect(takeover.body!.handoff).toMatchObject({ state: 'human', operator: { id: 'op-1', name: 'Olga Operator' } });
    expect(takeover.body!.summary).toContain('Are you there?');
    const human = await client.next((f) => f.type === 'handoff_state' && (f.data as { state: string }).state === 'human');
    expect(human.data).toEqual({ conversationId, state: 'human', operator: { name: 'Olga Operator' } });

    // A visitor resuming the session (reload, reconnect) learns that a person has it.
    const resumed = await socket();
    await resumed.request({ action: 'get_session', requestId: 'g', sessionId });
    const snapshot = await resumed.nextOfType('handoff_state');
    expect(snapshot.data).toEqual({ conversationId, state: 'human', operator: { name: 'Olga Operator' } });
    expectExtension(snapshot);

    const sent = await api('POST', `/admin/conversations/${conversationId}/messages`, curator, { text: 'Hi Vera, Olga here.' });
    expect(sent.status).toBe(201);
    const message = await client.nextOfType('human_message');
    expectExtension(message);
    expect(message.data).toEqual({ conversationId, messageId: (sent.body!.message as { id: string }).id, text: 'Hi Vera, Olga here.', sender: { name: 'Olga Operator' } });

    // The operator's message is in the visitor's history, from the human-agent participant.
    const history = await client.request({ action: 'get_conversation_messages', requestId: 'm', sessionId });
    const messages = (history.data as { messages: Array<{ content: { text: string }; from?: { type: string; name?: string }; direction: string }> }).messages;
    expect(messages[0]).toMatchObject({ direction: 'outbound', content: { text: 'Hi Vera, Olga here.' }, from: { type: 'human-agent', name: 'Olga Operator' } });

    client.send({ action: 'send_message', requestId: 't2', sessionId, message: 'Thanks Olga' });
    const silent = (await client.untilTerminal()).at(-1)!;
    expect((silent.data as { data: { needsEscalation: boolean } }).data.needsEscalation).toBe(true);
    expect(harness.gateway.requests).toHaveLength(0);

    const back = await api('POST', `/admin/conversations/${conversationId}/handback`, curator);
    expect(back.status).toBe(200);
    expect(back.body!.handoff).toMatchObject({ state: 'bot', operator: null });
    await client.next((f) => f.type === 'handoff_state' && (f.data as { state: string }).state === 'bot');
    client.send({ action: 'send_message', requestId: 't3', sessionId, message: 'One more question' });
    const answer = (await client.untilTerminal()).at(-1)!;
    const answered = (answer.data as { data: { needsEscalation: boolean; response: { responseParts: string[] } } }).data;
    expect(answered.response.responseParts).toEqual(['The AI is back.']);
    // (needsEscalation may still be set: the retrieval flags a reply that found nothing in the knowledge base.)
    expect(harness.gateway.requests).toHaveLength(1);
    expect((await api('GET', '/admin/handoffs', curator)).body!.handoffs).toEqual([]);
    expect(client.schemaViolations).toEqual([]);
    expect(operator.schemaViolations).toEqual([]);
  });

  it('guards the operator endpoints: role, organization, state and body', async () => {
    harness = await startHarness([], { config: auth });
    const curator = await sign('op-1', 'default', 'curator');
    const basic = await sign('u-1', 'default', 'basic');
    const stranger = await sign('op-9', 'other-org', 'admin');
    const { conversationId } = await visitor();
    const base = `/admin/conversations/${conversationId}`;

    expect((await api('GET', '/admin/handoffs')).status).toBe(401);
    expect((await api('GET', '/admin/handoffs', basic)).status).toBe(403);
    expect((await api('POST', `${base}/takeover`, basic)).status).toBe(403);
    // Another organization's conversation does not exist for the caller, and stays untouched.
    expect((await api('POST', `${base}/takeover`, stranger)).status).toBe(404);
    expect((await api('POST', `/admin/conversations/no-such-id/takeover`, curator)).status).toBe(404);
    expect((await api('GET', '/admin/handoffs', stranger)).body!.handoffs).toEqual([]);
    // Replying needs a takeover first; empty or oversized text is a validation error.
    expect((await api('POST', `${base}/messages`, curator, { text: 'hello' })).status).toBe(409);
    expect((await api('POST', `${base}/takeover`, curator)).status).toBe(200);
    expect((await api('POST', `${base}/messages`, curator, { text: '   ' })).status).toBe(400);
    expect((await api('POST', `${base}/messages`, curator, { text: 'x'.repeat(10_001) })).status).toBe(400);
    expect((await api('POST', `${base}/messages`, curator, {})).status).toBe(400);
    expect((await api('POST', `${base}/close`, curator)).body!.handoff).toMatchObject({ state: 'closed' });
    expect((await api('POST', `${base}/messages`, curator, { text: 'hello' })).status).toBe(409);
    // A visitor-side console subscription needs a Curator token.
    const anonymous = await socket();
    const refused = await anonymous.request({ action: 'operator_subscribe', requestId: 's' });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'FORBIDDEN' } });
    const lowly = await socket(basic);
    expect(await lowly.request({ action: 'operator_subscribe', requestId: 's' })).toMatchObject({ type: 'error', error: { code: 'FORBIDDEN' } });
  });

  it('with nobody online the visitor is told so, leaves an email, and the queue shows it', async () => {
    harness = await startHarness([], { config: auth });
    const curator = await sign('op-1', 'default', 'curator');
    const { client, sessionId, conversationId } = await visitor();
    const requested = await client.request({ action: 'request_human', requestId: 'h', sessionId });
    expect(requested.data).toEqual({ conversationId, state: 'waiting', available: false, unavailableReason: 'no_operators' });
    expect(client.frames.find((f) => f.type === 'handoff_state')!.data).toEqual({ conversationId, state: 'waiting', available: false });
    const bad = await client.request({ action: 'leave_contact', requestId: 'bad', sessionId, email: 'not an email' });
    expect(bad).toMatchObject({ type: 'error', requestId: 'bad', error: { code: 'VALIDATION_ERROR' } });
    const saved = await client.request({ action: 'leave_contact', requestId: 'l', sessionId, email: 'vera@example.com' });
    expect(saved).toMatchObject({ type: 'immediate_response', status: 200, data: { conversationId } });
    const queue = await api('GET', '/admin/handoffs', curator);
    expect(queue.body!.handoffs).toEqual([expect.objectContaining({ conversationId, visitorEmail: 'vera@example.com' })]);
    expect(queue.body!.availability).toEqual({ available: false, reason: 'no_operators', operatorsOnline: 0 });
    // Someone else's session id is not found, whatever the action.
    const other = await socket();
    expect(await other.request({ action: 'request_human', requestId: 'x', sessionId: 'nope' })).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });

  it('the model calls request_human: the turn ends with needsEscalation and the conversation waits', async () => {
    harness = await startHarness(
      [
        { kind: 'toolCall', name: 'request_human', arguments: '{"reason":"wants a refund exception"}' },
        { kind: 'text', text: 'A colleague will be with you shortly.' },
      ],
      { config: auth },
    );
    const curator = await sign('op-1', 'default', 'curator');
    await console_(curator);
    const { client, sessionId, conversationId } = await visitor();
    client.send({ action: 'send_message', requestId: 't', sessionId, message: 'I want to talk to someone about my refund' });
    const frames = await client.untilTerminal();
    const inner = (frames.at(-1)!.data as { data: { needsEscalation: boolean; response: { resolutionStatus: string } } }).data;
    expect(inner.needsEscalation).toBe(true);
    expect(inner.response.resolutionStatus).toBe('requires_escalation');
    const toolResult = JSON.stringify(harness.gateway.requests[1]!.body.messages.at(-1));
    expect(toolResult).toContain('human agent has been asked');
    expect(frames.some((f) => f.type === 'handoff_state')).toBe(true);
    const queue = await api('GET', '/admin/handoffs', curator);
    expect(queue.body!.handoffs).toEqual([expect.objectContaining({ conversationId, state: 'waiting', trigger: 'request_human', reason: 'wants a refund exception' })]);
  });

  it('the no-answer path asks for a person when configured, and only then', async () => {
    const curator = await sign('op-1', 'default', 'curator');
    harness = await startHarness([], { config: auth }, { apiKey: undefined });
    const { client, sessionId } = await visitor();
    client.send({ action: 'send_message', requestId: 't', sessionId, message: 'zebra quantum flux' });
    const plain = (await client.untilTerminal()).at(-1)!;
    // Nothing found is flagged (the retrieval's needsEscalation), but nobody is asked for unless configured.
    expect((plain.data as { data: { needsEscalation: boolean } }).data.needsEscalation).toBe(true);
    expect((await api('GET', '/admin/handoffs', curator)).body!.handoffs).toEqual([]);
    client.send({ action: 'send_message', requestId: 't2', sessionId, message: 'zebra quantum flux again' });
    await client.untilTerminal();
    expect(client.frames.some((f) => f.type === 'handoff_state')).toBe(false);
    await harness.close();

    harness = await startHarness([], { config: { ...auth, handoff: { hours: undefined, onNoAnswer: true, summary: 'transcript', presenceTtlMs: 45_000 } } }, { apiKey: undefined });
    const second = await visitor();
    second.client.send({ action: 'send_message', requestId: 't', sessionId: second.sessionId, message: 'zebra quantum flux' });
    const escalated = (await second.client.untilTerminal()).at(-1)!;
    expect((escalated.data as { data: { needsEscalation: boolean } }).data.needsEscalation).toBe(true);
    expect((await api('GET', '/admin/handoffs', curator)).body!.handoffs).toEqual([expect.objectContaining({ conversationId: second.conversationId, trigger: 'no_answer' })]);
    // The next message goes to the (awaited) person, not to the knowledge base.
    second.client.send({ action: 'send_message', requestId: 't2', sessionId: second.sessionId, message: 'hello?' });
    const held = (await second.client.untilTerminal()).at(-1)!;
    expect((held.data as { data: { response: { responseParts: string[] } } }).data.response.responseParts).toEqual(['']);
  });
});
