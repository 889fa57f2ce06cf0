import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient } from './support/ws-client.js';

const secret = 'integration-secret-integration-secret';
const jwtConfig = { authMode: 'jwt' as const, jwt: { hs256Secret: secret, clockToleranceSec: 5 } };

function token(sub: string, org: string, role = 'basic'): Promise<string> {
  return new SignJWT({ org, role }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('10m').sign(new TextEncoder().encode(secret));
}

let harness: Harness | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await harness?.close();
  harness = undefined;
});

async function connect(t?: string): Promise<TestClient> {
  const client = await TestClient.connect(`${harness!.server.wsUrl}${t ? `?token=${encodeURIComponent(t)}` : ''}`);
  clients.push(client);
  return client;
}

describe('WebSocket identity and session ownership', () => {
  it('a session created by an authenticated user is usable only by that user in that org', async () => {
    harness = await startHarness([{ kind: 'text', text: 'hello A' }], { config: jwtConfig });
    const alice = await connect(await token('alice', 'org-1'));
    const created = await alice.request({ action: 'create_conversation_session', requestId: 'c' });
    const sessionId = (created.data as { sessionId: string }).sessionId;

    const strangers = [
      await connect(await token('bob', 'org-1')),
      await connect(await token('alice', 'org-2')),
      await connect(),
      await connect('garbage-token'),
    ];
    for (const stranger of strangers) {
      for (const frame of [
        { action: 'get_session', sessionId },
        { action: 'get_conversation_messages', sessionId },
        { action: 'send_message', sessionId, message: 'hi' },
        { action: 'confirm_tool_action', sessionId, approved: true },
      ]) {
        const answer = await stranger.request({ ...frame, requestId: `x-${frame.action}` });
        // A confirm for someone else's session gets the reference's answer to a stray confirm.
        const code = frame.action === 'confirm_tool_action' ? 'NO_PENDING_CONFIRMATION' : 'SESSION_NOT_FOUND';
        expect(answer, `${frame.action} by a stranger`).toMatchObject({ type: 'error', error: { code } });
      }
    }

    const aliceAgain = await connect(await token('alice', 'org-1'));
    expect(await aliceAgain.request({ action: 'get_session', requestId: 'g', sessionId })).toMatchObject({ status: 200 });
    aliceAgain.send({ action: 'send_message', requestId: 'm', sessionId, message: 'hi' });
    expect((await aliceAgain.untilTerminal()).at(-1)).toMatchObject({ type: 'eventual_response' });
  });

  it('strict mode answers 401 at the upgrade for a missing or invalid token', async () => {
    harness = await startHarness([], { config: { ...jwtConfig, strictAuth: true } });
    await expect(connect()).rejects.toThrow(/401/);
    await expect(connect('nope')).rejects.toThrow(/401/);
    const ok = await connect(await token('alice', 'org-1'));
    expect(await ok.request({ action: 'ping', requestId: 'p' })).toMatchObject({ type: 'pong' });
  });
});

describe('admin roles', () => {
  it('requires a bearer, a valid token and at least curator for knowledge documents', async () => {
    harness = await startHarness([], { config: jwtConfig });
    const url = `${harness.server.httpUrl}/admin/knowledge/documents`;
    const call = async (t?: string) => {
      const res = await fetch(url, t ? { headers: { authorization: `Bearer ${t}` } } : {});
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    };
    expect(await call()).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
    const invalid = await call('forged.token.value');
    expect(invalid).toMatchObject({ status: 401, body: { error: { code: 'INVALID_TOKEN' } } });
    expect(invalid.body.error?.message).not.toContain('forged');
    expect(await call(await token('u', 'org-1', 'basic'))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await call(await token('u', 'org-1', 'curator'))).toMatchObject({ status: 200, body: { documents: [] } });
  });
});
