import { runStorageContract } from '../../test/contracts/storage-contract.js';
import { MemoryStorage } from './memory-storage.js';

runStorageContract('memory', async () => new MemoryStorage());

import { describe, expect, it } from 'vitest';
import type { Message } from './types.js';

function msg(conversationId: string, n: number): Message {
  return {
    id: `m-${n}`,
    conversationId,
    organizationId: 'org',
    direction: n % 2 === 0 ? 'inbound' : 'outbound',
    content: { items: [{ type: 'text', text: `text ${n}` }], text: `text ${n}` },
    from: { id: 'u', type: 'user' },
    createdAt: new Date(1_700_000_000_000 + n).toISOString(),
  };
}

describe('memory storage messages', () => {
  it('keeps what it stored when the caller changes its own object or what a read returned', async () => {
    const storage = new MemoryStorage();
    const input = msg('c', 1);
    await storage.appendMessage(input);
    input.content.text = 'changed by the writer';
    input.content.items[0]!.text = 'changed by the writer';
    const [read] = (await storage.listMessages({ conversationId: 'c', order: 'asc', limit: 10 })).messages;
    expect(read!.content.text).toBe('text 1');
    expect(() => {
      (read as Message).content.text = 'changed by a reader';
    }).toThrow(TypeError);
    expect(() => (read as Message).content.items.push({ type: 'text', text: 'x' })).toThrow(TypeError);
    const [again] = (await storage.listMessages({ conversationId: 'c', order: 'asc', limit: 10 })).messages;
    expect(again!.content).toEqual({ items: [{ type: 'text', text: 'text 1' }], text: 'text 1' });
  });

  it('pages a long conversation from either end by cursor, every message exactly once', async () => {
    const storage = new MemoryStorage();
    for (let n = 0; n < 5000; n++) await storage.appendMessage(msg('long', n));
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await storage.listMessages({ conversationId: 'long', order, limit: 333, ...(cursor ? { cursor } : {}) });
        seen.push(...page.messages.map((m) => m.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      const expected = Array.from({ length: 5000 }, (_, n) => `m-${n}`);
      expect(seen).toEqual(order === 'asc' ? expected : expected.reverse());
    }
    const lastFive = await storage.listMessages({ conversationId: 'long', order: 'desc', limit: 5 });
    expect(lastFive.messages.map((m) => m.id)).toEqual(['m-4999', 'm-4998', 'm-4997', 'm-4996', 'm-4995']);
    expect(lastFive.nextCursor).toBe('m-4995');
  });
});
