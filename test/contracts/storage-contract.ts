import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, Message, PendingApproval, Session, Storage, TurnCheckpoint } from '../../src/storage/index.js';

export interface StorageContractOptions {
  /** What is written outlives close(): a storage made afterwards sees it (pglite, postgres, dynamodb). */
  durable?: boolean;
  /** Two storages open at once share data, like two replicas on one database (postgres, dynamodb). */
  shared?: boolean;
}

/** The behaviour every Storage implementation must have. Each implementation's test calls this once. */
export function runStorageContract(name: string, makeStorage: () => Promise<Storage>, options: StorageContractOptions = {}): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    const extra: Storage[] = [];
    beforeEach(async () => {
      storage = await makeStorage();
    });
    afterEach(async () => {
      await storage.close();
      for (const s of extra.splice(0)) await s.close();
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
      // A fresh organization, so rows left by earlier runs on a durable backend cannot interfere.
      const org = `org-list-${randomUUID()}`;
      for (let n = 0; n < 5; n++) {
        const c = await storage.createConversation({
          id: randomUUID(),
          platform: 'web',
          name: `c${n}`,
          organizationId: org,
          idempotencyKey: `k${n}`,
          createdAt: at(n),
          updatedAt: at(n),
        });
        ids.push(c.id);
        await storage.addParticipant({
          id: randomUUID(),
          conversationId: c.id,
          organizationId: org,
          type: 'user',
          name: 'u',
          ...(n % 2 === 0 ? { externalId: 'user-even' } : {}),
          createdAt: at(n),
          updatedAt: at(n),
        });
      }
      await storage.createConversation({ id: randomUUID(), platform: 'web', name: 'x', organizationId: 'org-other', idempotencyKey: 'k', createdAt: at(9), updatedAt: at(9) });
      const first = await storage.listConversations({ organizationId: org, limit: 2, offset: 0 });
      expect(first.conversations.map((c) => c.name)).toEqual(['c4', 'c3']);
      expect(first.nextOffset).toBe(2);
      const rest = await storage.listConversations({ organizationId: org, limit: 10, offset: 2 });
      expect(rest.conversations.map((c) => c.name)).toEqual(['c2', 'c1', 'c0']);
      expect(rest.nextOffset).toBeNull();
      const own = await storage.listConversations({ organizationId: org, limit: 10, offset: 0, userExternalId: 'user-even' });
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

    function conversation(overrides: Partial<Conversation> = {}): Conversation {
      return {
        id: randomUUID(),
        platform: 'web',
        name: 'Session x',
        organizationId: `org-${randomUUID()}`,
        idempotencyKey: randomUUID(),
        createdAt: at(1),
        updatedAt: at(2),
        ...overrides,
      };
    }

    function checkpoint(requestId: string): TurnCheckpoint {
      const call = { id: 'call_9', name: 'delete_record', arguments: '{"id":"42"}' };
      return {
        requestId,
        model: 'claude-haiku-4-5',
        iteration: 2,
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: 'löschen bitte — 42 ✓' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_8', name: 'lookup', arguments: '{}' }, call] },
          { role: 'tool', toolCallId: 'call_8', content: 'found 42' },
        ],
        toolCall: call,
        remainingToolCalls: [{ id: 'call_10', name: 'notify', arguments: '' }],
        toolNames: ['delete_record', 'lookup', 'notify'],
        sources: [{ documentId: 'd1', chunkId: 'd1#0', source: 'https://x.example/a', title: 'A', text: 'passage', score: 0.5 }],
        usage: { costUsd: 0.0012, promptTokens: 120, completionTokens: 7 },
      };
    }

    function approval(sessionId: string, requestId = 'r1', toolCallId = 'call_9'): PendingApproval {
      return {
        sessionId,
        requestId,
        toolCallId,
        toolName: 'delete_record',
        arguments: '{"id":"42"}',
        createdAt: at(0),
        expiresAt: at(300),
        checkpoint: checkpoint(requestId),
      };
    }

    it('creates one conversation for one key even when creates race', async () => {
      const base = conversation();
      const results = await Promise.all(Array.from({ length: 5 }, () => storage.createConversation({ ...base, id: randomUUID() })));
      expect(new Set(results.map((c) => c.id)).size).toBe(1);
      expect(await storage.getConversation(results[0]!.id)).toEqual(results[0]);
    });

    it('keeps optional fields, nested metadata and owner-less sessions exactly', async () => {
      const c = await storage.createConversation(conversation({ metadataJson: { page: '/help', tags: ['a', 'b'], nested: { n: 1, ok: true } } }));
      expect(await storage.getConversation(c.id)).toEqual(c);
      expect((await storage.getConversation(c.id))?.metadataJson).toEqual({ page: '/help', tags: ['a', 'b'], nested: { n: 1, ok: true } });
      const bare = await storage.createConversation(conversation());
      expect(Object.keys((await storage.getConversation(bare.id))!)).not.toContain('metadataJson');

      const p = {
        id: randomUUID(),
        conversationId: c.id,
        organizationId: c.organizationId,
        type: 'ai-agent' as const,
        name: 'smooth-agent',
        email: 'bot@example.com',
        browserFingerprint: 'fp',
        externalId: 'ext',
        internalId: 'agent-1',
        createdAt: at(3),
        updatedAt: at(4),
      };
      await storage.addParticipant(p);
      expect(await storage.getParticipant(p.id)).toEqual(p);
      expect(await storage.getParticipant(randomUUID())).toBeUndefined();

      const anonymous: Session = { ...session(c.id), owner: { organizationId: c.organizationId }, metadata: {} };
      await storage.createSession(anonymous);
      const loaded = await storage.getSession(anonymous.sessionId);
      expect(loaded).toEqual(anonymous);
      expect(Object.keys(loaded!.owner)).toEqual(['organizationId']);
    });

    it('treats an unknown cursor as no cursor and pages an empty conversation', async () => {
      const conversationId = randomUUID();
      expect(await storage.listMessages({ conversationId, limit: 5, order: 'desc' })).toEqual({ messages: [], nextCursor: null });
      for (let n = 0; n < 3; n++) await storage.appendMessage(message(conversationId, n));
      const fromStart = await storage.listMessages({ conversationId, limit: 2, order: 'desc', cursor: randomUUID() });
      expect(fromStart.messages.map((m) => m.content.text)).toEqual(['m2', 'm1']);
      // A cursor from another conversation means nothing here either.
      const other = randomUUID();
      const foreign = await storage.appendMessage(message(other, 7));
      const ignored = await storage.listMessages({ conversationId, limit: 5, order: 'asc', cursor: foreign.id });
      expect(ignored.messages.map((m) => m.content.text)).toEqual(['m0', 'm1', 'm2']);
    });

    it('keeps every message appended concurrently, with from/to references', async () => {
      const conversationId = randomUUID();
      const written = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          storage.appendMessage({ ...message(conversationId, n), from: { id: 'u', type: 'user' }, to: { id: 'a', type: 'ai-agent', name: 'smooth-agent' } }),
        ),
      );
      const page = await storage.listMessages({ conversationId, limit: 50, order: 'asc' });
      expect(page.messages).toHaveLength(12);
      expect(new Set(page.messages.map((m) => m.id))).toEqual(new Set(written.map((m) => m.id)));
      expect(page.messages.find((m) => m.id === written[3]!.id)).toEqual(written[3]);
    });

    it('stores a turn checkpoint with the approval and returns it whole from take', async () => {
      const sessionId = randomUUID();
      const parked = approval(sessionId, 'req-7');
      await storage.putPendingApproval(parked);
      expect(await storage.getPendingApproval(sessionId)).toEqual(parked);
      expect(await storage.takePendingApproval(sessionId)).toEqual(parked);
    });

    it('takes only the approval a caller names, and put replaces the session’s approval', async () => {
      const sessionId = randomUUID();
      await storage.putPendingApproval(approval(sessionId, 'r1', 'call_1'));
      await storage.putPendingApproval(approval(sessionId, 'r2', 'call_2'));
      expect((await storage.getPendingApproval(sessionId))?.requestId).toBe('r2');
      expect(await storage.takePendingApproval(sessionId, { requestId: 'r1', toolCallId: 'call_1' })).toBeUndefined();
      expect(await storage.takePendingApproval(sessionId, { requestId: 'r2', toolCallId: 'call_1' })).toBeUndefined();
      expect((await storage.getPendingApproval(sessionId))?.requestId).toBe('r2');
      const [a, b] = await Promise.all([
        storage.takePendingApproval(sessionId, { requestId: 'r2', toolCallId: 'call_2' }),
        storage.takePendingApproval(sessionId, { requestId: 'r2', toolCallId: 'call_2' }),
      ]);
      expect([a, b].filter((r) => r !== undefined).map((r) => r!.requestId)).toEqual(['r2']);
      expect(await storage.takePendingApproval(randomUUID(), { requestId: 'r2', toolCallId: 'call_2' })).toBeUndefined();
    });

    it('patches session state: step pointer set and cleared, verified, contact merged', async () => {
      const s = session(randomUUID());
      await storage.createSession(s);
      expect(await storage.updateSession(randomUUID(), { verified: true })).toBeUndefined();

      const stepped = await storage.updateSession(s.sessionId, { workflowStepId: 'collect-order' });
      expect(stepped).toMatchObject({ sessionId: s.sessionId, workflowStepId: 'collect-order', metadata: s.metadata });
      expect(stepped!.updatedAt >= s.updatedAt).toBe(true);
      expect(await storage.getSession(s.sessionId)).toEqual(stepped);
      expect(Object.keys(stepped!)).not.toContain('verified');

      await storage.updateSession(s.sessionId, { contact: { name: 'Zoë', email: 'zoe@example.com' } });
      const merged = await storage.updateSession(s.sessionId, { verified: true, contact: { phone: '+15550100', email: 'z2@example.com' } });
      expect(merged).toMatchObject({ workflowStepId: 'collect-order', verified: true, contact: { name: 'Zoë', email: 'z2@example.com', phone: '+15550100' } });

      const cleared = await storage.updateSession(s.sessionId, { workflowStepId: null, verified: false });
      expect(Object.keys(cleared!)).not.toContain('workflowStepId');
      expect(cleared!.verified).toBe(false);
      expect(await storage.getSession(s.sessionId)).toEqual(cleared);
      // Everything the patch did not name is untouched.
      expect(cleared).toMatchObject({ conversationId: s.conversationId, owner: s.owner, agentId: s.agentId, contact: merged!.contact });
    });

    it('keeps every field of concurrent session patches', async () => {
      const s = session(randomUUID());
      await storage.createSession(s);
      await Promise.all([
        storage.updateSession(s.sessionId, { workflowStepId: 'two' }),
        storage.updateSession(s.sessionId, { verified: true }),
        storage.updateSession(s.sessionId, { contact: { email: 'a@example.com' } }),
        storage.updateSession(s.sessionId, { contact: { name: 'A' } }),
      ]);
      expect(await storage.getSession(s.sessionId)).toMatchObject({ workflowStepId: 'two', verified: true, contact: { email: 'a@example.com', name: 'A' } });
    });

    it('creates a session with state fields and keeps them exactly', async () => {
      const s: Session = { ...session(randomUUID()), workflowStepId: 'greet', verified: false, contact: { email: 'x@example.com' } };
      await storage.createSession(s);
      expect(await storage.getSession(s.sessionId)).toEqual(s);
    });

    it('tells whether a user participant of that external id is in the conversation, per organization', async () => {
      const c = await storage.createConversation(conversation());
      const base = { conversationId: c.id, organizationId: c.organizationId, name: 'n', createdAt: at(1), updatedAt: at(1) };
      await storage.addParticipant({ ...base, id: randomUUID(), type: 'user', externalId: 'user-7' });
      await storage.addParticipant({ ...base, id: randomUUID(), type: 'ai-agent', externalId: 'agent-user' });
      expect(await storage.hasUserParticipant(c.organizationId, c.id, 'user-7')).toBe(true);
      expect(await storage.hasUserParticipant(c.organizationId, c.id, 'user-8')).toBe(false);
      expect(await storage.hasUserParticipant(c.organizationId, c.id, 'agent-user')).toBe(false);
      expect(await storage.hasUserParticipant('org-elsewhere', c.id, 'user-7')).toBe(false);
      expect(await storage.hasUserParticipant(c.organizationId, randomUUID(), 'user-7')).toBe(false);
    });

    it('renames a conversation and counts its messages', async () => {
      const c = await storage.createConversation(conversation());
      expect(Object.keys((await storage.getConversation(c.id))!)).not.toContain('title');
      const renamed = await storage.updateConversation(c.id, { title: 'Refund for order #42 — ✓' });
      expect(renamed).toMatchObject({ id: c.id, name: c.name, title: 'Refund for order #42 — ✓', createdAt: c.createdAt });
      expect(renamed!.updatedAt > c.updatedAt).toBe(true);
      expect(await storage.getConversation(c.id)).toEqual(renamed);
      expect(await storage.updateConversation(randomUUID(), { title: 'x' })).toBeUndefined();
      const declared = await storage.updateConversation(c.id, { clientSupports: ['identity_form'] });
      expect(declared).toMatchObject({ title: 'Refund for order #42 — ✓', clientSupports: ['identity_form'] });
      expect((await storage.updateConversation(c.id, { clientSupports: [] }))?.clientSupports).toEqual([]);
      const withSupports = await storage.createConversation(conversation({ clientSupports: ['choice_chips'] }));
      expect(await storage.getConversation(withSupports.id)).toEqual(withSupports);
      expect(await storage.countMessages(c.id)).toBe(0);
      for (let n = 0; n < 3; n++) await storage.appendMessage(message(c.id, n));
      await storage.appendMessage(message(randomUUID(), 5));
      expect(await storage.countMessages(c.id)).toBe(3);
    });

    it.runIf(options.durable)('keeps everything across close and reopen', async () => {
      const c = await storage.createConversation(conversation({ metadataJson: { k: 'v' } }));
      const s = { ...session(c.id), organizationId: c.organizationId };
      await storage.createSession(s);
      const m = await storage.appendMessage(message(c.id, 1));
      const parked = approval(s.sessionId);
      await storage.putPendingApproval(parked);
      const stepped = await storage.updateSession(s.sessionId, { workflowStepId: 'step-2', verified: true, contact: { email: 'r@example.com' } });
      await storage.close();

      storage = await makeStorage();
      expect(await storage.getConversation(c.id)).toEqual(c);
      expect(await storage.getSession(s.sessionId)).toEqual(stepped);
      expect((await storage.listMessages({ conversationId: c.id, limit: 5, order: 'desc' })).messages).toEqual([m]);
      expect(await storage.takePendingApproval(s.sessionId)).toEqual(parked);
      // Still idempotent after the restart.
      expect((await storage.createConversation({ ...c, id: randomUUID() })).id).toBe(c.id);
    });

    it.runIf(options.shared)('lets two open storages see each other’s writes and take an approval only once', async () => {
      const other = await makeStorage();
      extra.push(other);
      const c = await storage.createConversation(conversation());
      expect(await other.getConversation(c.id)).toEqual(c);
      expect((await other.createConversation({ ...c, id: randomUUID() })).id).toBe(c.id);
      const m = await other.appendMessage(message(c.id, 2));
      expect((await storage.listMessages({ conversationId: c.id, limit: 5, order: 'desc' })).messages).toEqual([m]);
      const s = { ...session(c.id), organizationId: c.organizationId };
      await storage.createSession(s);
      await other.updateSession(s.sessionId, { workflowStepId: 'from-other-replica' });
      expect((await storage.getSession(s.sessionId))?.workflowStepId).toBe('from-other-replica');
      for (let round = 0; round < 5; round++) {
        const sessionId = randomUUID();
        await storage.putPendingApproval(approval(sessionId));
        const taken = await Promise.all([storage.takePendingApproval(sessionId), other.takePendingApproval(sessionId)]);
        expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
      }
    });
  });
}
