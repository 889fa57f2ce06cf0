import type { Storage } from './storage.js';
import type {
  ApprovalMatch,
  Conversation,
  ConversationPage,
  ConversationPatch,
  ConversationQuery,
  Message,
  MessagePage,
  MessageQuery,
  Participant,
  PendingApproval,
  Session,
  SessionPatch,
} from './types.js';
import { applySessionPatch } from './session-patch.js';

/** Process-memory storage: the zero-config default. Returns copies so callers cannot mutate state. */
export class MemoryStorage implements Storage {
  private readonly conversations = new Map<string, Conversation>();
  /** `${organizationId}\u0000${idempotencyKey}` → conversation id, so idempotent creates stay O(1). */
  private readonly conversationsByKey = new Map<string, string>();
  private readonly participants = new Map<string, Participant>();
  private readonly messagesByConversation = new Map<string, Message[]>();
  private readonly sessions = new Map<string, Session>();
  private readonly approvals = new Map<string, PendingApproval>();

  async createConversation(conversation: Conversation): Promise<Conversation> {
    const key = `${conversation.organizationId}\u0000${conversation.idempotencyKey}`;
    const existingId = this.conversationsByKey.get(key);
    const existing = existingId === undefined ? undefined : this.conversations.get(existingId);
    if (existing) return structuredClone(existing);
    this.conversations.set(conversation.id, structuredClone(conversation));
    this.conversationsByKey.set(key, conversation.id);
    return structuredClone(conversation);
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    const found = this.conversations.get(id);
    return found && structuredClone(found);
  }

  async listConversations(query: ConversationQuery): Promise<ConversationPage> {
    let matching = [...this.conversations.values()].filter((c) => c.organizationId === query.organizationId);
    if (query.userExternalId !== undefined) {
      const owned = new Set(
        [...this.participants.values()]
          .filter((p) => p.type === 'user' && p.externalId === query.userExternalId && p.organizationId === query.organizationId)
          .map((p) => p.conversationId),
      );
      matching = matching.filter((c) => owned.has(c.id));
    }
    // Newest first; insertion order breaks ties so equal timestamps still page stably.
    const ordered = matching.map((c, i) => ({ c, i })).sort((a, b) => b.c.createdAt.localeCompare(a.c.createdAt) || b.i - a.i);
    const page = ordered.slice(query.offset, query.offset + query.limit).map(({ c }) => structuredClone(c));
    const next = query.offset + page.length;
    return { conversations: page, nextOffset: next < ordered.length ? next : null };
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<Conversation | undefined> {
    const found = this.conversations.get(id);
    if (!found) return undefined;
    const updated: Conversation = {
      ...found,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.clientSupports !== undefined ? { clientSupports: [...patch.clientSupports] } : {}),
      updatedAt: new Date().toISOString(),
    };
    this.conversations.set(id, updated);
    return structuredClone(updated);
  }

  async countMessages(conversationId: string): Promise<number> {
    return this.messagesByConversation.get(conversationId)?.length ?? 0;
  }

  async hasUserParticipant(organizationId: string, conversationId: string, userExternalId: string): Promise<boolean> {
    for (const p of this.participants.values()) {
      if (p.conversationId === conversationId && p.organizationId === organizationId && p.type === 'user' && p.externalId === userExternalId) return true;
    }
    return false;
  }

  async addParticipant(participant: Participant): Promise<Participant> {
    this.participants.set(participant.id, structuredClone(participant));
    return structuredClone(participant);
  }

  async getParticipant(id: string): Promise<Participant | undefined> {
    const found = this.participants.get(id);
    return found && structuredClone(found);
  }

  async appendMessage(message: Message): Promise<Message> {
    let list = this.messagesByConversation.get(message.conversationId);
    if (!list) {
      list = [];
      this.messagesByConversation.set(message.conversationId, list);
    }
    list.push(structuredClone(message));
    return structuredClone(message);
  }

  async listMessages(query: MessageQuery): Promise<MessagePage> {
    const all = this.messagesByConversation.get(query.conversationId) ?? [];
    const ordered = query.order === 'asc' ? all : [...all].reverse();
    let start = 0;
    if (query.cursor !== undefined) {
      const at = ordered.findIndex((m) => m.id === query.cursor);
      start = at === -1 ? 0 : at + 1;
    }
    const page = ordered.slice(start, start + query.limit);
    const hasMore = start + page.length < ordered.length;
    const last = page[page.length - 1];
    return {
      messages: page.map((m) => structuredClone(m)),
      nextCursor: hasMore && last ? last.id : null,
    };
  }

  async createSession(session: Session): Promise<Session> {
    this.sessions.set(session.sessionId, structuredClone(session));
    return structuredClone(session);
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const found = this.sessions.get(sessionId);
    return found && structuredClone(found);
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<Session | undefined> {
    const found = this.sessions.get(sessionId);
    if (!found) return undefined;
    const updated = applySessionPatch(found, patch, new Date().toISOString());
    this.sessions.set(sessionId, updated);
    return structuredClone(updated);
  }

  async putPendingApproval(approval: PendingApproval): Promise<void> {
    this.approvals.set(approval.sessionId, structuredClone(approval));
  }

  async getPendingApproval(sessionId: string): Promise<PendingApproval | undefined> {
    const found = this.approvals.get(sessionId);
    return found && structuredClone(found);
  }

  async takePendingApproval(sessionId: string, match?: ApprovalMatch): Promise<PendingApproval | undefined> {
    const found = this.approvals.get(sessionId);
    if (!found) return undefined;
    if (match && (found.requestId !== match.requestId || found.toolCallId !== match.toolCallId)) return undefined;
    // Delete happens synchronously with the read, so two awaiting callers cannot both get it.
    this.approvals.delete(sessionId);
    return found;
  }

  async close(): Promise<void> {}
}
