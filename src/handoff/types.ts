/**
 * Who answers a conversation. `bot`: the AI. `waiting`: a person was asked for and nobody has taken
 * it yet (the AI is silent). `human`: an operator owns it. `closed`: an operator ended the handoff;
 * the AI answers again until someone asks for a person anew.
 */
export type HandoffState = 'bot' | 'waiting' | 'human' | 'closed';

export const HANDOFF_STATES: readonly HandoffState[] = ['bot', 'waiting', 'human', 'closed'];

/** What moved a conversation towards a person. */
export type HandoffTrigger = 'request_human' | 'visitor' | 'no_answer' | 'operator';

export interface Operator {
  /** The principal's user id (never a session id). */
  id: string;
  name: string;
}

/** One conversation's handoff, as every replica sees it. */
export interface HandoffRecord {
  conversationId: string;
  organizationId: string;
  /** Internal routing key to the visitor's sockets; never shown in admin output. */
  sessionId: string;
  state: HandoffState;
  trigger?: HandoffTrigger;
  reason?: string;
  /** When the conversation last entered `waiting`. */
  requestedAt?: string;
  operator?: Operator;
  /** The `human-agent` participant operator messages are sent from. */
  humanParticipantId?: string;
  /** A follow-up address the visitor left when nobody was available. */
  visitorEmail?: string;
  /** Bumped on every write; writers compare-and-set on it so two replicas never both win a takeover. */
  version: number;
  updatedAt: string;
}

export interface PresenceRecord {
  organizationId: string;
  operatorId: string;
  name: string;
  seenAt: string;
}

/** Which moves are legal. A takeover from `human` is another operator taking it over. */
export const TRANSITIONS: Readonly<Record<HandoffState, readonly HandoffState[]>> = {
  bot: ['waiting', 'human', 'closed'],
  waiting: ['human', 'bot', 'closed'],
  human: ['human', 'bot', 'closed'],
  closed: ['waiting', 'human', 'bot'],
};

export function canMove(from: HandoffState, to: HandoffState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** What an AI answer used, kept so the operator sees it in the transcript: its sources and tool steps. */
export interface TurnNote {
  conversationId: string;
  organizationId: string;
  /** The stored reply's message id. */
  messageId: string;
  citations: Array<{ id: string; title: string; url?: string; snippet: string }>;
  tools: Array<{ name: string; isError: boolean }>;
  createdAt: string;
}
