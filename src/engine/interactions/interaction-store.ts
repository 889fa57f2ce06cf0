import type { TurnCheckpoint } from '../../storage/index.js';

/** A turn parked on a Rich Interaction. Lives in storage, so any replica (or a restarted one) can resume it. */
export interface PendingInteraction {
  sessionId: string;
  /** The send_message requestId the turn streams under; the submit must carry it. */
  requestId: string;
  /** Minted per raise, so a stale submit can never resolve a newer park. */
  interactionId: string;
  kind: string;
  toolCallId: string;
  toolName: string;
  spec: object;
  reason: string;
  createdAt: string;
  expiresAt: string;
  checkpoint?: TurnCheckpoint;
}

/** One parked interaction per session. Every backend must pass test/interactions-store.test.ts. */
export interface InteractionStore {
  /** Records (or replaces) the session's parked interaction. */
  put(pending: PendingInteraction): Promise<void>;
  get(sessionId: string): Promise<PendingInteraction | undefined>;
  /**
   * Removes and returns it. Atomic: of two concurrent callers, on any processes, at most one gets it.
   * With `interactionId`, only that interaction is taken; a different (newer) one stays.
   */
  take(sessionId: string, interactionId?: string): Promise<PendingInteraction | undefined>;
}

export class MemoryInteractionStore implements InteractionStore {
  private readonly bySession = new Map<string, PendingInteraction>();

  async put(pending: PendingInteraction): Promise<void> {
    this.bySession.set(pending.sessionId, structuredClone(pending));
  }

  async get(sessionId: string): Promise<PendingInteraction | undefined> {
    const found = this.bySession.get(sessionId);
    return found && structuredClone(found);
  }

  async take(sessionId: string, interactionId?: string): Promise<PendingInteraction | undefined> {
    const found = this.bySession.get(sessionId);
    if (!found || (interactionId !== undefined && found.interactionId !== interactionId)) return undefined;
    this.bySession.delete(sessionId);
    return found;
  }
}
