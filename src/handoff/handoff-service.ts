import { randomUUID } from 'node:crypto';
import type { Backplane, Target } from '../backplane/index.js';
import type { Message, Session, Storage } from '../storage/index.js';
import type { Availability, Unavailable } from './availability.js';
import { handoffView, type HandoffMessageView, type HandoffView } from './events.js';
import type { HandoffStore } from './handoff-store.js';
import { canMove, type HandoffRecord, type HandoffState, type HandoffTrigger, type Operator, type TurnNote } from './types.js';

export type HandoffErrorCode = 'NOT_FOUND' | 'INVALID_TRANSITION' | 'CONFLICT';

export class HandoffError extends Error {
  constructor(
    readonly code: HandoffErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

export interface HandoffServiceOptions {
  store: HandoffStore;
  storage: Storage;
  backplane: Backplane;
  availability: Availability;
  now: () => Date;
  /** Short text for the operator taking over; the last messages when not given. */
  summarize?: (messages: readonly Message[]) => Promise<string>;
  onError?: (err: unknown, what: string) => void;
}

/** Consoles of an organization subscribe to this target. */
export function operatorsTarget(organizationId: string): Target {
  return { type: 'operators', id: organizationId };
}

export interface RequestOutcome {
  view: HandoffView;
  available: boolean;
  unavailable?: Unavailable;
}

const CAS_ATTEMPTS = 8;
const SUMMARY_MESSAGES = 6;

export function messageView(message: Message): HandoffMessageView {
  return {
    id: message.id,
    direction: message.direction,
    text: message.content.text,
    sender: { type: message.from?.type ?? (message.direction === 'inbound' ? 'user' : 'ai-agent'), name: message.from?.name ?? null },
    createdAt: message.createdAt,
  };
}

/**
 * The handoff state machine. Every change is a compare-and-set on the stored record, then fanned
 * out through the backplane: `handoff_state` to the visitor's sockets, `handoff_update` to the
 * organization's consoles, on whichever replica they are connected.
 */
export class HandoffService {
  constructor(private readonly options: HandoffServiceOptions) {}

  get availability(): Availability {
    return this.options.availability;
  }

  /** Operator presence, kept beside the handoff records. */
  get presence(): Pick<HandoffStore, 'heartbeat' | 'leave'> {
    return this.options.store;
  }

  async stateOf(organizationId: string, conversationId: string): Promise<HandoffState> {
    return (await this.options.store.get(organizationId, conversationId))?.state ?? 'bot';
  }

  /** Whether the AI must stay silent: someone asked for a person, or a person owns the conversation. */
  async humanOwns(organizationId: string, conversationId: string): Promise<boolean> {
    const state = await this.stateOf(organizationId, conversationId);
    return state === 'waiting' || state === 'human';
  }

  async list(organizationId: string): Promise<HandoffView[]> {
    const now = this.options.now();
    const records = await this.options.store.list(organizationId, ['waiting', 'human']);
    // Waiting first, the longest-waiting first among them; then owned conversations, oldest change first.
    records.sort((a, b) => {
      if (a.state !== b.state) return a.state === 'waiting' ? -1 : 1;
      const ka = a.state === 'waiting' ? (a.requestedAt ?? a.updatedAt) : a.updatedAt;
      const kb = b.state === 'waiting' ? (b.requestedAt ?? b.updatedAt) : b.updatedAt;
      return ka.localeCompare(kb);
    });
    return records.map((r) => handoffView(r, now));
  }

  async view(organizationId: string, conversationId: string): Promise<HandoffView | undefined> {
    const record = await this.options.store.get(organizationId, conversationId);
    return record ? handoffView(record, this.options.now()) : undefined;
  }

  /** A visitor, the model or the no-answer path asks for a person. Already waiting or owned: unchanged. */
  async request(session: Session, trigger: HandoffTrigger, reason?: string): Promise<RequestOutcome> {
    const check = await this.options.availability.check(session.organizationId);
    const record = await this.change(session.organizationId, session.conversationId, session.sessionId, (current) => {
      if (current.state === 'waiting' || current.state === 'human') return undefined;
      return { ...current, state: 'waiting', trigger, ...(reason ? { reason } : {}), requestedAt: this.options.now().toISOString() };
    });
    const available = check.available;
    await this.announce(record, { available });
    return { view: handoffView(record, this.options.now()), available, ...(check.available ? {} : { unavailable: check.reason }) };
  }

  async takeover(organizationId: string, conversationId: string, operator: Operator): Promise<{ view: HandoffView; summary: string }> {
    const session = await this.sessionOf(organizationId, conversationId);
    const record = await this.change(organizationId, conversationId, session.sessionId, (current) => {
      if (!canMove(current.state, 'human')) throw new HandoffError('INVALID_TRANSITION', `cannot take over a conversation in state ${current.state}`);
      if (current.state === 'human' && current.operator?.id === operator.id) return undefined;
      return { ...current, state: 'human', operator: { ...operator }, ...(current.trigger ? {} : { trigger: 'operator' as const }) };
    });
    // One human-agent participant per conversation, created on its first takeover.
    if (!record.humanParticipantId) {
      const at = this.options.now().toISOString();
      const participant = await this.options.storage.addParticipant({
        id: randomUUID(),
        conversationId,
        organizationId,
        type: 'human-agent',
        name: operator.name,
        internalId: operator.id,
        createdAt: at,
        updatedAt: at,
      });
      await this.change(organizationId, conversationId, session.sessionId, (current) =>
        current.humanParticipantId ? undefined : { ...current, humanParticipantId: participant.id },
      );
    }
    await this.announce(record, {});
    return { view: handoffView(record, this.options.now()), summary: await this.summary(conversationId) };
  }

  handback(organizationId: string, conversationId: string): Promise<HandoffView> {
    return this.finishWith(organizationId, conversationId, 'bot');
  }

  close(organizationId: string, conversationId: string): Promise<HandoffView> {
    return this.finishWith(organizationId, conversationId, 'closed');
  }

  private async finishWith(organizationId: string, conversationId: string, state: 'bot' | 'closed'): Promise<HandoffView> {
    const session = await this.sessionOf(organizationId, conversationId);
    const record = await this.change(organizationId, conversationId, session.sessionId, (current) => {
      if (current.state === state) return undefined;
      if (!canMove(current.state, state)) throw new HandoffError('INVALID_TRANSITION', `cannot move a conversation from ${current.state} to ${state}`);
      const { operator: _operator, requestedAt: _requestedAt, ...rest } = current;
      return { ...rest, state };
    });
    await this.announce(record, {});
    return handoffView(record, this.options.now());
  }

  /** An operator's reply: stored as an outbound message from the human-agent participant, pushed to the visitor. */
  async operatorMessage(organizationId: string, conversationId: string, operator: Operator, text: string): Promise<HandoffMessageView> {
    const session = await this.sessionOf(organizationId, conversationId);
    const record = await this.options.store.get(organizationId, conversationId);
    if (!record || record.state !== 'human' || !record.humanParticipantId) {
      throw new HandoffError('INVALID_TRANSITION', 'take the conversation over before replying');
    }
    const name = record.operator?.id === operator.id ? record.operator.name : operator.name;
    const stored = await this.options.storage.appendMessage({
      id: randomUUID(),
      conversationId,
      organizationId,
      direction: 'outbound',
      content: { items: [{ type: 'text', text }], text },
      from: { id: record.humanParticipantId, type: 'human-agent', name },
      to: { id: session.userParticipantId, type: 'user' },
      createdAt: this.options.now().toISOString(),
    });
    await this.publish({ type: 'session', id: session.sessionId }, {
      type: 'human_message',
      data: { conversationId, messageId: stored.id, text, sender: { name } },
      timestamp: Date.now(),
    });
    const view = messageView(stored);
    await this.publish(operatorsTarget(organizationId), { type: 'handoff_message', data: { conversationId, message: view }, timestamp: Date.now() });
    return view;
  }

  /** A visitor message while a person owns (or is asked for): stored, then delivered to the consoles. */
  async visitorMessage(session: Session, text: string): Promise<Message> {
    const record = await this.options.store.get(session.organizationId, session.conversationId);
    const stored = await this.options.storage.appendMessage({
      id: randomUUID(),
      conversationId: session.conversationId,
      organizationId: session.organizationId,
      direction: 'inbound',
      content: { items: [{ type: 'text', text }], text },
      from: { id: session.userParticipantId, type: 'user' },
      to: record?.humanParticipantId ? { id: record.humanParticipantId, type: 'human-agent' } : { id: session.agentParticipantId, type: 'ai-agent' },
      createdAt: this.options.now().toISOString(),
    });
    await this.publish(operatorsTarget(session.organizationId), {
      type: 'handoff_message',
      data: { conversationId: session.conversationId, message: messageView(stored) },
      timestamp: Date.now(),
    });
    return stored;
  }

  /** What an AI answer used, for the operator's transcript. Failing to note it never fails the turn. */
  async noteTurn(session: Session, messageId: string, used: Pick<TurnNote, 'citations' | 'tools'>): Promise<void> {
    if (used.citations.length === 0 && used.tools.length === 0) return;
    const note: TurnNote = {
      conversationId: session.conversationId,
      organizationId: session.organizationId,
      messageId,
      citations: used.citations.map((c) => ({ id: c.id, title: c.title, snippet: c.snippet, ...(c.url ? { url: c.url } : {}) })),
      tools: used.tools.map((t) => ({ name: t.name, isError: t.isError })),
      createdAt: this.options.now().toISOString(),
    };
    await this.options.store.addNote(note).catch((err: unknown) => this.options.onError?.(err, 'noting what an answer used'));
  }

  notes(organizationId: string, conversationId: string): Promise<TurnNote[]> {
    return this.options.store.notes(organizationId, conversationId);
  }

  /** The follow-up address a visitor leaves when nobody is available. */
  async leaveContact(session: Session, email: string): Promise<HandoffView> {
    const record = await this.change(session.organizationId, session.conversationId, session.sessionId, (current) =>
      current.visitorEmail === email ? undefined : { ...current, visitorEmail: email },
    );
    // On the session's contact too, where the storage keeps one (the agents work adds updateSession).
    const storage = this.options.storage as Storage & { updateSession?: (id: string, patch: { contact: { email: string } }) => Promise<unknown> };
    if (typeof storage.updateSession === 'function') {
      await storage.updateSession(session.sessionId, { contact: { email } }).catch((err: unknown) => this.options.onError?.(err, 'storing the contact on the session'));
    }
    await this.publish(operatorsTarget(session.organizationId), { type: 'handoff_update', data: handoffView(record, this.options.now()), timestamp: Date.now() });
    return handoffView(record, this.options.now());
  }

  private async summary(conversationId: string): Promise<string> {
    const page = await this.options.storage.listMessages({ conversationId, order: 'desc', limit: SUMMARY_MESSAGES * 4 });
    const messages = page.messages.reverse().filter((m) => m.content.text.trim() !== '');
    if (this.options.summarize) {
      try {
        const text = (await this.options.summarize(messages)).trim();
        if (text !== '') return text;
      } catch (err) {
        this.options.onError?.(err, 'summarizing a conversation for takeover');
      }
    }
    if (messages.length === 0) return 'No messages yet: the visitor asked for a person before writing anything.';
    return messages
      .slice(-SUMMARY_MESSAGES)
      .map((m) => `${m.direction === 'inbound' ? 'Visitor' : (m.from?.name ?? 'Assistant')}: ${m.content.text.replace(/\s+/g, ' ').slice(0, 200)}`)
      .join('\n');
  }

  /** Called when a visitor session is created: operators address conversations, sockets listen on sessions. */
  async track(session: Session): Promise<void> {
    await this.options.store.trackSession(session.organizationId, session.conversationId, session.sessionId);
  }

  /** The visitor session of an organization's conversation; NOT_FOUND for anyone else's. */
  async sessionOf(organizationId: string, conversationId: string): Promise<Session> {
    const conversation = await this.options.storage.getConversation(conversationId);
    if (!conversation || conversation.organizationId !== organizationId) throw new HandoffError('NOT_FOUND', 'conversation not found');
    const sessionId =
      (await this.options.store.sessionOf(organizationId, conversationId)) ??
      (await this.options.store.get(organizationId, conversationId))?.sessionId ??
      // Conversations created before sessions were tracked carried the session id as their idempotency key.
      conversation.idempotencyKey;
    const session = await this.options.storage.getSession(sessionId);
    if (!session || session.conversationId !== conversationId || session.organizationId !== organizationId) {
      throw new HandoffError('NOT_FOUND', 'conversation has no visitor session');
    }
    return session;
  }

  /** Read, decide, compare-and-set; retried when another writer (another replica) got there first. */
  private async change(
    organizationId: string,
    conversationId: string,
    sessionId: string,
    decide: (current: HandoffRecord) => HandoffRecord | undefined,
  ): Promise<HandoffRecord> {
    const { store, now } = this.options;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const stored = await store.get(organizationId, conversationId);
      const current: HandoffRecord = stored ?? { conversationId, organizationId, sessionId, state: 'bot', version: 0, updatedAt: now().toISOString() };
      const next = decide(current);
      if (!next) return current;
      const written = { ...next, version: current.version + 1, updatedAt: now().toISOString() };
      if (await store.put(written, current.version)) return written;
    }
    throw new HandoffError('CONFLICT', 'the conversation changed concurrently; try again');
  }

  private async announce(record: HandoffRecord, extra: { available?: boolean }): Promise<void> {
    await this.publish({ type: 'session', id: record.sessionId }, {
      type: 'handoff_state',
      data: {
        conversationId: record.conversationId,
        state: record.state,
        ...(extra.available !== undefined ? { available: extra.available } : {}),
        ...(record.state === 'human' && record.operator ? { operator: { name: record.operator.name } } : {}),
      },
      timestamp: Date.now(),
    });
    await this.publish(operatorsTarget(record.organizationId), { type: 'handoff_update', data: handoffView(record, this.options.now()), timestamp: Date.now() });
  }

  private async publish(target: Target, event: object): Promise<void> {
    try {
      await this.options.backplane.publish(target, event);
    } catch (err) {
      // The state is stored; a bus hiccup delays the push, the console's next refresh shows it.
      this.options.onError?.(err, 'publishing a handoff event');
    }
  }
}
