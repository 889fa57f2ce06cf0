import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import type { Message } from '../../src/storage/index.js';
import type { SettingsStore } from '../../src/admin/settings-store.js';
import { startHarness } from '../support/harness.js';
import { capturingLogger } from './support.js';

const SECRET_DETAIL = 'connect ECONNREFUSED postgres://admin:hunter2@10.0.0.5:5432/prod relation "messages" does not exist';

class FailingOutbound extends MemoryStorage {
  override async appendMessage(message: Message): Promise<Message> {
    if (message.direction === 'outbound') throw new Error(SECRET_DETAIL);
    return super.appendMessage(message);
  }
}

// Finding 9: internal error text reached the client verbatim inside AGENT_ERROR.
describe('internal failures reach the client as a stable message; the detail stays in the log', () => {
  it('a storage failure while saving the reply', async () => {
    const log = capturingLogger();
    const h = await startHarness([{ kind: 'text', text: 'Hello there.' }], { storage: new FailingOutbound(), logger: log.logger });
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'hi' });
    const frames = await client.untilTerminal(10_000);
    const terminal = frames.at(-1)!;
    expect(terminal).toMatchObject({ type: 'error', requestId: 'r1', error: { code: 'AGENT_ERROR' } });
    const message = (terminal.error as { message: string }).message;
    expect(message).toMatch(/^agent turn failed: an internal error occurred \(reference [0-9a-f]{8}\)$/);
    expect(JSON.stringify(frames)).not.toContain('hunter2');
    expect(JSON.stringify(frames)).not.toContain('ECONNREFUSED');
    // The operator can find the cause by the reference the client quotes.
    const reference = /reference ([0-9a-f]{8})/.exec(message)![1];
    expect(log.lines.find((l) => l.reference === reference && JSON.stringify(l).includes('ECONNREFUSED'))).toBeDefined();
    await h.close();
  });

  it('a settings store failure at the start of the turn', async () => {
    const settings = {
      get: async () => {
        throw new Error(`settings query failed: ${SECRET_DETAIL}`);
      },
    } as unknown as SettingsStore;
    const h = await startHarness([{ kind: 'text', text: 'unused' }], { settings, logger: capturingLogger().logger });
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'hi' });
    const terminal = (await client.untilTerminal(10_000)).at(-1)!;
    expect(terminal).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    expect(JSON.stringify(terminal)).not.toMatch(/hunter2|settings query|ECONNREFUSED/);
    await h.close();
  });

  it('an LLM failure still says what went wrong (that text is written for clients)', async () => {
    const h = await startHarness([{ kind: 'error', status: 400, body: '{"error":{"message":"model not found"}}' }]);
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'hi' });
    const terminal = (await client.untilTerminal(10_000)).at(-1)!;
    expect(terminal).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    expect((terminal.error as { message: string }).message).not.toContain('internal error occurred');
    await h.close();
  });
});
