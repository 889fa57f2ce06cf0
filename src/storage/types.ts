/** Domain records, camelCase as the protocol's domain schemas spell them. Times are ISO-8601 strings. */
export interface Conversation {
  id: string;
  platform: 'web';
  name: string;
  organizationId: string;
  idempotencyKey: string;
  metadataJson?: Record<string, unknown>;
  /** A title the user gave it (rename_conversation); absent until renamed. */
  title?: string;
  /** The render capabilities a client last declared for it (`create_conversation_session.supports`). */
  clientSupports?: string[];
  createdAt: string;
  updatedAt: string;
}

export type ParticipantType = 'user' | 'ai-agent' | 'human-agent';

export interface Participant {
  id: string;
  conversationId: string;
  organizationId: string;
  type: ParticipantType;
  name: string;
  email?: string;
  browserFingerprint?: string;
  externalId?: string;
  internalId?: string;
  createdAt: string;
  updatedAt: string;
}

export type Direction = 'inbound' | 'outbound';

export interface ParticipantRef {
  id: string;
  type: ParticipantType;
  name?: string;
}

export interface Message {
  id: string;
  conversationId: string;
  organizationId: string;
  direction: Direction;
  content: { items: Array<{ type: 'text'; text: string }>; text: string };
  from?: ParticipantRef;
  to?: ParticipantRef;
  createdAt: string;
}

export type SessionStatus = 'active' | 'idle' | 'ended';

/** Who may use a session: an authenticated principal's (org, user), or anyone holding the id when anonymous. */
export interface SessionOwner {
  organizationId: string;
  userId?: string;
}

export interface Session {
  sessionId: string;
  conversationId: string;
  organizationId: string;
  agentId: string;
  agentName: string;
  userParticipantId: string;
  agentParticipantId: string;
  threadId: string;
  status: SessionStatus;
  owner: SessionOwner;
  metadata: Record<string, unknown>;
  /** The conversation workflow's current step; absent → the workflow's first step. */
  workflowStepId?: string;
  /** The end user proved who they are (OTP) in this session. */
  verified?: boolean;
  /** How to reach the end user (from identity intake or the session's creation). */
  contact?: SessionContact;
  createdAt: string;
  updatedAt: string;
}

export interface SessionContact {
  name?: string;
  email?: string;
  phone?: string;
}

/**
 * A change to a session's state. `workflowStepId: null` clears the pointer; `contact` fields are
 * merged into the stored contact (a field not named keeps its value).
 */
export interface SessionPatch {
  workflowStepId?: string | null;
  verified?: boolean;
  contact?: SessionContact;
}

/** A change to a conversation. */
export interface ConversationPatch {
  /** The display title (list_conversations / rename_conversation). */
  title?: string;
  /** Replaces the declared render capabilities. */
  clientSupports?: string[];
}

/** A tool call parked until a human approves or denies it. Lives in storage, not in a closure. */
export interface PendingApproval {
  sessionId: string;
  requestId: string;
  toolCallId: string;
  toolName: string;
  arguments: string;
  createdAt: string;
  expiresAt: string;
  /**
   * Everything needed to finish the turn without the process that parked it. Stored in the same
   * record so that taking the approval and taking the turn are one atomic step.
   */
  checkpoint?: TurnCheckpoint;
}

/** Which parked call a caller means, so it never takes a newer approval that replaced it. */
export interface ApprovalMatch {
  requestId: string;
  toolCallId: string;
}

/** A tool call as the model produced it (mirrors the engine's ToolCallRequest). */
export interface CheckpointToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One model-conversation message (mirrors the engine's ChatMessage, which is plain JSON). */
export type CheckpointMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: CheckpointToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A retrieved passage the turn will cite (mirrors the knowledge layer's hit). */
export interface CheckpointSource {
  documentId: string;
  chunkId: string;
  source: string;
  title?: string;
  url?: string;
  text: string;
  score: number;
}

/** A turn frozen at a tool call awaiting approval. */
export interface TurnCheckpoint {
  /** The send_message requestId the rest of the turn streams under. */
  requestId: string;
  /** The model the turn was using, already resolved from overrides and settings. */
  model: string;
  /** The loop iteration whose tool calls were running; the resumed loop continues after it. */
  iteration: number;
  /** The model conversation so far: ends with the assistant message holding `toolCall`, then results of earlier calls. */
  messages: CheckpointMessage[];
  toolCall: CheckpointToolCall;
  /** Later calls of the same assistant message, not yet run. */
  remainingToolCalls: CheckpointToolCall[];
  /** Names of the tools offered to the model in this turn. */
  toolNames: string[];
  sources: CheckpointSource[];
  usage: { costUsd: number; promptTokens: number; completionTokens: number };
}

export interface MessageQuery {
  conversationId: string;
  limit: number;
  /** Id of a message: the page starts strictly after it in the chosen order. */
  cursor?: string;
  order: 'asc' | 'desc';
}

export interface MessagePage {
  messages: Message[];
  /** Id of the page's last message when more follow; otherwise null. */
  nextCursor: string | null;
}

export interface ConversationQuery {
  organizationId: string;
  limit: number;
  /** Number of conversations to skip (newest first). */
  offset: number;
  /** Only conversations with a `user` participant whose externalId is this (a Basic caller's own). */
  userExternalId?: string;
}

export interface ConversationPage {
  conversations: Conversation[];
  /** Offset of the next page when more follow; otherwise null. */
  nextOffset: number | null;
}
