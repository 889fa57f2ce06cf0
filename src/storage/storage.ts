import type {
  ApprovalMatch,
  Conversation,
  ConversationPage,
  ConversationQuery,
  Message,
  MessagePage,
  MessageQuery,
  Participant,
  PendingApproval,
  Session,
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
  addParticipant(participant: Participant): Promise<Participant>;
  getParticipant(id: string): Promise<Participant | undefined>;
  appendMessage(message: Message): Promise<Message>;
  listMessages(query: MessageQuery): Promise<MessagePage>;
  createSession(session: Session): Promise<Session>;
  getSession(sessionId: string): Promise<Session | undefined>;
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
