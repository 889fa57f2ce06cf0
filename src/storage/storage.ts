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

/**
 * The durable-state seam. Every implementation must pass test/contracts/storage-contract.ts.
 * Methods are async even in memory so callers never depend on a backend being local.
 */
export interface Storage {
  createConversation(conversation: Conversation): Promise<Conversation>;
  getConversation(id: string): Promise<Conversation | undefined>;
  /** An organization's conversations, newest first (admin listing). */
  listConversations(query: ConversationQuery): Promise<ConversationPage>;
  /** Applies `patch` and bumps updatedAt; undefined when there is no such conversation. */
  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation | undefined>;
  /** How many messages the conversation holds. */
  countMessages(conversationId: string): Promise<number>;
  /**
   * Whether the conversation has a `user` participant with this externalId in this organization:
   * what makes a conversation a signed-in user's own (list, rename, resume).
   */
  hasUserParticipant(organizationId: string, conversationId: string, userExternalId: string): Promise<boolean>;
  addParticipant(participant: Participant): Promise<Participant>;
  getParticipant(id: string): Promise<Participant | undefined>;
  appendMessage(message: Message): Promise<Message>;
  listMessages(query: MessageQuery): Promise<MessagePage>;
  createSession(session: Session): Promise<Session>;
  getSession(sessionId: string): Promise<Session | undefined>;
  /**
   * Applies `patch` to the stored session (see SessionPatch) and bumps updatedAt, atomically per
   * session on every backend; returns the session afterwards, or undefined when there is none.
   */
  updateSession(sessionId: string, patch: SessionPatch): Promise<Session | undefined>;
  /** Records (or replaces) the session's parked tool call. One per session. */
  putPendingApproval(approval: PendingApproval): Promise<void>;
  getPendingApproval(sessionId: string): Promise<PendingApproval | undefined>;
  /**
   * Removes and returns the session's pending approval. Atomic: of two concurrent callers at most
   * one receives it, which is what makes an approval resolvable only once — across processes too.
   * With `match`, only an approval for that request and tool call is taken; any other stays.
   */
  takePendingApproval(sessionId: string, match?: ApprovalMatch): Promise<PendingApproval | undefined>;
  /**
   * Deletes approvals that expired before `before`; returns how many. Optional: a backend whose
   * records expire by themselves (or cost nothing while they wait) need not have it.
   */
  sweepExpiredApprovals?(before: Date): Promise<number>;
  close(): Promise<void>;
}
