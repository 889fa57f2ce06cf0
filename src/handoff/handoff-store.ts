import type { HandoffRecord, HandoffState, Operator, PresenceRecord, TurnNote } from './types.js';

/**
 * Durable handoff state, one record per conversation, plus operator presence. Every backend passes
 * test/handoff-store.test.ts. `put` is a compare-and-set on `version`, which is what makes a takeover
 * won by exactly one operator across replicas.
 */
export interface HandoffStore {
  get(organizationId: string, conversationId: string): Promise<HandoffRecord | undefined>;
  /** Writes `record` if the stored version is `expectedVersion` (0: no record yet). False: someone else wrote first. */
  put(record: HandoffRecord, expectedVersion: number): Promise<boolean>;
  /** The organization's conversations in any of `states`. */
  list(organizationId: string, states: readonly HandoffState[]): Promise<HandoffRecord[]>;
  heartbeat(presence: PresenceRecord): Promise<void>;
  /** Operators whose last heartbeat is at or after `since`. */
  online(organizationId: string, since: string): Promise<Operator[]>;
  leave(organizationId: string, operatorId: string): Promise<void>;
  /** Which visitor session a conversation belongs to: how an operator's action reaches the visitor's sockets. */
  trackSession(organizationId: string, conversationId: string, sessionId: string): Promise<void>;
  sessionOf(organizationId: string, conversationId: string): Promise<string | undefined>;
  addNote(note: TurnNote): Promise<void>;
  /** A conversation's notes, oldest first. */
  notes(organizationId: string, conversationId: string): Promise<TurnNote[]>;
}

export class MemoryHandoffStore implements HandoffStore {
  private readonly records = new Map<string, HandoffRecord>();
  private readonly presence = new Map<string, PresenceRecord>();
  private readonly turnNotes = new Map<string, TurnNote[]>();
  private readonly sessions = new Map<string, string>();

  private static key(organizationId: string, id: string): string {
    return `${organizationId}\u0000${id}`;
  }

  async get(organizationId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const found = this.records.get(MemoryHandoffStore.key(organizationId, conversationId));
    return found ? structuredClone(found) : undefined;
  }

  async put(record: HandoffRecord, expectedVersion: number): Promise<boolean> {
    const key = MemoryHandoffStore.key(record.organizationId, record.conversationId);
    if ((this.records.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(key, structuredClone(record));
    return true;
  }

  async list(organizationId: string, states: readonly HandoffState[]): Promise<HandoffRecord[]> {
    return [...this.records.values()].filter((r) => r.organizationId === organizationId && states.includes(r.state)).map((r) => structuredClone(r));
  }

  async heartbeat(presence: PresenceRecord): Promise<void> {
    this.presence.set(MemoryHandoffStore.key(presence.organizationId, presence.operatorId), { ...presence });
  }

  async online(organizationId: string, since: string): Promise<Operator[]> {
    const cutoff = Date.parse(since);
    return [...this.presence.values()]
      .filter((p) => p.organizationId === organizationId && Date.parse(p.seenAt) >= cutoff)
      .map((p) => ({ id: p.operatorId, name: p.name }));
  }

  async leave(organizationId: string, operatorId: string): Promise<void> {
    this.presence.delete(MemoryHandoffStore.key(organizationId, operatorId));
  }

  async trackSession(organizationId: string, conversationId: string, sessionId: string): Promise<void> {
    this.sessions.set(MemoryHandoffStore.key(organizationId, conversationId), sessionId);
  }

  async sessionOf(organizationId: string, conversationId: string): Promise<string | undefined> {
    return this.sessions.get(MemoryHandoffStore.key(organizationId, conversationId));
  }

  async addNote(note: TurnNote): Promise<void> {
    const key = MemoryHandoffStore.key(note.organizationId, note.conversationId);
    this.turnNotes.set(key, [...(this.turnNotes.get(key) ?? []), structuredClone(note)]);
  }

  async notes(organizationId: string, conversationId: string): Promise<TurnNote[]> {
    const notes = structuredClone(this.turnNotes.get(MemoryHandoffStore.key(organizationId, conversationId)) ?? []);
    return notes.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId));
  }
}
