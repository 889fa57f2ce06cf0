import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Message, Session, Storage } from '../../src/storage/index.js';

/** The behaviour every Storage implementation must have. Each implementation's test calls this once. */
export function runStorageContract(name: string, makeStorage: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await makeStorage();
    });

    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

    function message(conversationId: string, n: number): Message {
      return {
        id: randomUUID(),
        conversationId,
        organizationId: 'org-1',
        direction: n % 2 === 0 ? 'inbound' : 'outbound',
        content: { items: [{ type: 'text', text: `m${n}` }], text: `m${n}` },
        createdAt: at(n),
      };
    }

    function session(conversationId: string): Session {
      return {
        sessionId: randomUUID(),
        conversationId,
        organizationId: 'org-1',
        agentId: randomUUID(),
        agentName: 'smooth-agent',
        userParticipantId: randomUUID(),
        agentParticipantId: randomUUID(),
        threadId: conversationId,
        status: 'active',
        owner: { organizationId: 'org-1', userId: 'u-1' },
        metadata: { clientSupports: ['markdown'] },
        createdAt: at(0),
        updatedAt: at(0),
      };
    }

    it('creates conversations idempotently per organization and key', async () => {
      const base = { platform: 'web' as const, name: 'c', organizationId: 'org-1', idempotencyKey: 'k1', createdAt: at(0), updatedAt: at(0) };
      const first = await storage.createConversation({ ...base, id: randomUUID() });
      const again = await storage.createConversation({ ...base, id: randomUUID() });
      const otherOrg = await storage.createConversation({ ...base, id: randomUUID(), organizationId: 'org-2' });
      expect(again.id).toBe(first.id);
      expect(otherOrg.id).not.toBe(first.id);
      expect(await storage.getConversation(first.id)).toEqual(first);
      expect(await storage.getConversation(randomUUID())).toBeUndefined();
    });

    it('stores participants and sessions round-trip', async () => {
      const conversationId = randomUUID();
      const p = await storage.addParticipant({
        id: randomUUID(),
        conversationId,
        organizationId: 'org-1',
        type: 'user',
        name: 'Alice',
        email: 'a@example.com',
        createdAt: at(0),
        updatedAt: at(0),
      });
      expect(await storage.getParticipant(p.id)).toEqual(p);
      const s = session(conversationId);
      await storage.createSession(s);
      expect(await storage.getSession(s.sessionId)).toEqual(s);
      expect(await storage.getSession(randomUUID())).toBeUndefined();
    });

    it('pages messages newest-first and oldest-first with cursors', async () => {
      const conversationId = randomUUID();
      const written: Message[] = [];
      for (let n = 0; n < 7; n++) written.push(await storage.appendMessage(message(conversationId, n)));
      await storage.appendMessage(message(randomUUID(), 99));

      const firstPage = await storage.listMessages({ conversationId, limit: 3, order: 'desc' });
      expect(firstPage.messages.map((m) => m.content.text)).toEqual(['m6', 'm5', 'm4']);
      expect(firstPage.nextCursor).toBe(firstPage.messages[2]!.id);
      const second = await storage.listMessages({ conversationId, limit: 3, order: 'desc', cursor: firstPage.nextCursor! });
      expect(second.messages.map((m) => m.content.text)).toEqual(['m3', 'm2', 'm1']);
      const last = await storage.listMessages({ conversationId, limit: 3, order: 'desc', cursor: second.nextCursor! });
      expect(last.messages.map((m) => m.content.text)).toEqual(['m0']);
      expect(last.nextCursor).toBeNull();

      const asc = await storage.listMessages({ conversationId, limit: 4, order: 'asc' });
      expect(asc.messages.map((m) => m.content.text)).toEqual(['m0', 'm1', 'm2', 'm3']);
      const exact = await storage.listMessages({ conversationId, limit: 7, order: 'asc' });
      expect(exact.nextCursor).toBeNull();
      expect(exact.messages[0]).toEqual(written[0]);
    });

    it('lists an organization’s conversations newest first, optionally only a user’s own', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const c = await storage.createConversation({
          id: randomUUID(),
          platform: 'web',
          name: `c${n}`,
          organizationId: 'org-list',
          idempotencyKey: `k${n}`,
          createdAt: at(n),
          updatedAt: at(n),
        });
        ids.push(c.id);
        await storage.addParticipant({
          id: randomUUID(),
          conversationId: c.id,
          organizationId: 'org-list',
          type: 'user',
          name: 'u',
          ...(n % 2 === 0 ? { externalId: 'user-even' } : {}),
          createdAt: at(n),
          updatedAt: at(n),
        });
      }
      await storage.createConversation({ id: randomUUID(), platform: 'web', name: 'x', organizationId: 'org-other', idempotencyKey: 'k', createdAt: at(9), updatedAt: at(9) });
      const first = await storage.listConversations({ organizationId: 'org-list', limit: 2, offset: 0 });
      expect(first.conversations.map((c) => c.name)).toEqual(['c4', 'c3']);
      expect(first.nextOffset).toBe(2);
      const rest = await storage.listConversations({ organizationId: 'org-list', limit: 10, offset: 2 });
      expect(rest.conversations.map((c) => c.name)).toEqual(['c2', 'c1', 'c0']);
      expect(rest.nextOffset).toBeNull();
      const own = await storage.listConversations({ organizationId: 'org-list', limit: 10, offset: 0, userExternalId: 'user-even' });
      expect(own.conversations.map((c) => c.name)).toEqual(['c4', 'c2', 'c0']);
    });

    it('resolves a pending approval at most once, even when taken concurrently', async () => {
      const sessionId = randomUUID();
      const approval = {
        sessionId,
        requestId: 'r1',
        toolCallId: 'call_1',
        toolName: 'delete_record',
        arguments: '{"id":"42"}',
        createdAt: at(0),
        expiresAt: at(300),
      };
      await storage.putPendingApproval(approval);
      expect(await storage.getPendingApproval(sessionId)).toEqual(approval);
      const results = await Promise.all([storage.takePendingApproval(sessionId), storage.takePendingApproval(sessionId)]);
      expect(results.filter((r) => r !== undefined)).toEqual([approval]);
      expect(await storage.getPendingApproval(sessionId)).toBeUndefined();
      expect(await storage.takePendingApproval(sessionId)).toBeUndefined();
    });
  });
}
