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

/** One conversation's messages in order, and where each id sits, so a cursor is found in O(1). */
interface MessageLog {
  readonly list: Message[];
  readonly indexById: Map<string, number>;
}

function frozenRef(ref: Message['from']): Message['from'] {
  return ref && Object.freeze({ ...ref });
}

/**
 * A deep-frozen copy of a message: taken once on write, then handed to every reader as is. Messages
 * are read every turn (history), so copying them per read would make a turn cost O(history) copies.
 */
function frozenMessage(m: Message): Message {
  const items = Object.freeze(m.content.items.map((item) => Object.freeze({ ...item })));
  const record: Message = {
    ...m,
    content: Object.freeze({ ...m.content, items: items as Message['content']['items'] }),
  };
  if (m.from) record.from = frozenRef(m.from);
  if (m.to) record.to = frozenRef(m.to);
  return Object.freeze(record);
}

/**
 * Process-memory storage: the zero-config default. Callers cannot change what is stored: messages
 * are frozen (read-only for everyone), every other record is handed out as a copy.
 */
export class MemoryStorage implements Storage {
  private readonly conversations = new Map<string, Conversation>();
  /** `${organizationId}\u0000${idempotencyKey}` → conversation id, so idempotent creates stay O(1). */
  private readonly conversationsByKey = new Map<string, string>();
  private readonly participants = new Map<string, Participant>();
  private readonly messagesByConversation = new Map<string, MessageLog>();
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
    return this.messagesByConversation.get(conversationId)?.list.length ?? 0;
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
    let log = this.messagesByConversation.get(message.conversationId);
    if (!log) {
      log = { list: [], indexById: new Map() };
      this.messagesByConversation.set(message.conversationId, log);
    }
    const record = frozenMessage(message);
    log.indexById.set(record.id, log.list.length);
    log.list.push(record);
    return record;
  }

  /** O(limit): walks from the cursor (or the chosen end) without touching the rest of the conversation. */
  async listMessages(query: MessageQuery): Promise<MessagePage> {
    const log = this.messagesByConversation.get(query.conversationId);
    if (!log || query.limit <= 0) return { messages: [], nextCursor: null };
    const { list } = log;
    const at = query.cursor === undefined ? undefined : log.indexById.get(query.cursor);
    const page: Message[] = [];
    let hasMore: boolean;
    if (query.order === 'asc') {
      // An unknown cursor reads from the start, like no cursor at all.
      let i = at === undefined ? 0 : at + 1;
      for (; i < list.length && page.length < query.limit; i++) page.push(list[i]!);
      hasMore = i < list.length;
    } else {
      let i = at === undefined ? list.length - 1 : at - 1;
      for (; i >= 0 && page.length < query.limit; i--) page.push(list[i]!);
      hasMore = i >= 0;
    }
    const last = page[page.length - 1];
    return { messages: page, nextCursor: hasMore && last ? last.id : null };
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

  async sweepExpiredApprovals(before: Date): Promise<number> {
    let swept = 0;
    for (const [sessionId, approval] of this.approvals) {
      if (Date.parse(approval.expiresAt) < before.getTime()) {
        this.approvals.delete(sessionId);
        swept++;
      }
    }
    return swept;
  }

  async close(): Promise<void> {}
}
