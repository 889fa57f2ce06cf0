import { describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import { deleteTool } from './support.js';

// Finding 2: with memory storage, a turn parked on approval held the drain for its full timeout and
// then the socket closed 1001 with no terminal event for the turn.
describe('shutdown with a turn parked on approval (memory storage)', () => {
  it('ends the parked turn at once with a terminal SHUTTING_DOWN error and closes well under the drain timeout', async () => {
    const h = await startHarness([{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"7"}' }], {
      tools: [deleteTool()],
      config: { confirmToolPatterns: ['delete'], drainTimeoutMs: 30_000 },
    });
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'delete 7' });
    await client.nextOfType('write_confirmation_required', 10_000);
    const started = Date.now();
    const closing = h.server.close();
    const terminal = await client.next((f) => ['eventual_response', 'error', 'cancelled'].includes(f.type), 10_000);
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(terminal).toMatchObject({ type: 'error', requestId: 'r1', error: { code: 'SHUTTING_DOWN' } });
    expect(client.schemaViolations).toEqual([]);
    await h.gateway.close();
  });
});
