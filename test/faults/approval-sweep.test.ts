import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { startHarness } from '../support/harness.js';
import { deleteTool, eventually } from './support.js';

// Finding 6: an approval abandoned by a disconnect stayed in storage (memory: the process heap) for
// good, because expiry was only checked when a confirm arrived.
describe('abandoned approvals expire by a sweep', () => {
  it('records left by parked-then-disconnected turns are gone once they expire', { timeout: 60_000 }, async () => {
    let offsetMs = 0;
    const storage = new MemoryStorage();
    const h = await startHarness([], {
      storage,
      tools: [deleteTool()],
      now: () => new Date(Date.now() + offsetMs),
      config: { confirmToolPatterns: ['delete'], approvalTimeoutMs: 2_000 },
    }, {}, { respond: () => ({ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"1"}' }) });
    const sessions: string[] = [];
    const CYCLES = 20;
    for (let i = 0; i < CYCLES; i++) {
      const { client, sessionId } = await h.session();
      sessions.push(sessionId);
      client.send({ action: 'send_message', requestId: `r${i}`, sessionId, message: 'delete 1' });
      await client.nextOfType('write_confirmation_required', 10_000);
      client.ws.terminate();
    }
    // Kept on purpose for a while: a reconnecting client may still confirm.
    await new Promise((r) => setTimeout(r, 200));
    const kept = (await Promise.all(sessions.map((s) => storage.getPendingApproval(s)))).filter(Boolean);
    expect(kept.length).toBe(CYCLES);
    // An hour later nothing can confirm them any more; the sweep removes every one.
    offsetMs = 3_600_000;
    await eventually(async () => (await Promise.all(sessions.map((s) => storage.getPendingApproval(s)))).every((a) => a === undefined), 10_000);
    await h.close();
  });

  it('leaves an approval that is still within its time alone', async () => {
    const storage = new MemoryStorage();
    const h = await startHarness([{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"1"}' }], {
      storage,
      tools: [deleteTool()],
      config: { confirmToolPatterns: ['delete'], approvalTimeoutMs: 60_000 },
    });
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 1' });
    await client.nextOfType('write_confirmation_required', 10_000);
    client.ws.terminate();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await storage.getPendingApproval(sessionId)).toBeDefined();
    await h.close();
  });
});
