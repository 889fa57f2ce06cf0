/**
 * What the client sends and the payloads of the answers it gets back, typed from
 * `shared/spec/actions/*.schema.json` (request fields and `Response` definitions).
 */

export interface CreateSessionOptions {
  /** The agent to talk to; falls back to the client's `agentId` option. */
  agentId?: string;
  userName?: string;
  userEmail?: string;
  browserFingerprint?: string;
  metadata?: Record<string, unknown>;
  /** Client capabilities the server may adapt to (recorded in session metadata). */
  supports?: string[];
  authContext?: { userId: string; signature: string; timestamp: number };
}

/** `create_conversation_session` → `immediate_response.data`. */
export interface SessionInfo {
  sessionId: string;
  conversationId: string;
  agentId?: string;
  agentName: string;
  userParticipantId: string;
  agentParticipantId: string;
}

/** `get_session` → `immediate_response.data`. */
export interface SessionSnapshot extends SessionInfo {
  threadId?: string;
  status?: 'active' | 'idle' | 'ended';
}

export interface SendMessageOptions {
  message: string;
  /** Defaults to the client's current session (the one created or resumed last). */
  sessionId?: string;
  /** Per-turn model override. */
  model?: string;
}

export interface GetMessagesOptions {
  sessionId?: string;
  /** 1–100; the server defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Participant {
  id: string;
  type: string;
  name?: string;
}

/** `ConversationMessage` from `actions/get-messages.schema.json`. */
export interface ConversationMessage {
  id: string;
  /** `inbound` = from the visitor, `outbound` = from the agent. */
  direction: 'inbound' | 'outbound';
  content: { text?: string; structuredResponse?: Record<string, unknown> | null };
  from?: Participant;
  to?: Participant;
  createdAt: string;
}

/** `get_conversation_messages` → `immediate_response.data`. Messages are newest first. */
export interface MessagePage {
  messages: ConversationMessage[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface ConfirmToolActionOptions {
  approved: boolean;
  sessionId?: string;
  /**
   * The turn the approval belongs to, when this client no longer follows it (the socket it was
   * sent on dropped while it waited for the decision). The server resumes the parked turn and
   * streams the rest of it under that `send_message` requestId; `confirmToolAction` then also
   * returns a `Turn` collecting those events.
   */
  resume?: { requestId: string };
}

export interface FollowTurnOptions {
  sessionId?: string;
}

/** `confirm_tool_action` → `immediate_response.data`. */
export interface ConfirmResult {
  sessionId: string;
  approved: boolean;
}

export interface CancelOptions {
  sessionId?: string;
}

/** Answers an `interaction_required` (Rich Interactions). */
export interface SubmitInteractionOptions {
  /** The `requestId` of the `interaction_required` event (the parked turn's). */
  requestId: string;
  interactionId: string;
  kind?: string;
  /** Kind-specific values, e.g. `{ email }` for identity_intake or `{ answers }` for choices. */
  values?: Record<string, unknown>;
  declined?: boolean;
  sessionId?: string;
}

/** Accepted: the turn resumes (its events follow on `turn`). Invalid: fix the fields and submit again. */
export type SubmitInteractionResult =
  | { status: 'submitted' | 'declined'; interactionId: string }
  | { status: 'invalid'; interactionId: string; errors: Array<{ field: string; message: string }>; message: string };

export interface VerifyOtpOptions {
  code: string;
  /** The `requestId` of the `otp_verification_required` event; a fresh one when absent. */
  requestId?: string;
  sessionId?: string;
}

export type VerifyOtpResult =
  | { verified: true; message: string }
  | { verified: false; error?: 'INVALID_CODE' | 'MAX_ATTEMPTS' | 'NOT_FOUND' | 'EXPIRED'; attemptsRemaining: number; message: string };

/** `request_human` → `immediate_response.data`: the conversation now waits for a person. */
export interface HandoffRequestResult {
  conversationId: string;
  state: 'waiting' | 'human';
  /** False: nobody can pick up now (nobody online, or outside business hours); ask for an email. */
  available: boolean;
  unavailableReason?: 'outside_hours' | 'no_operators';
}
