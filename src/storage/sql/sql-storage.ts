import type { Storage } from '../storage.js';
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
} from '../types.js';
import {
  json,
  toApproval,
  toConversation,
  toMessage,
  toParticipant,
  toSession,
  type ApprovalRow,
  type ConversationRow,
  type MessageRow,
  type ParticipantRow,
  type SessionRow,
} from './rows.js';
import type { SqlDatabase } from './sql-client.js';

const MESSAGE_COLUMNS = 'id, conversation_id, organization_id, direction, content, from_ref, to_ref, created_at';

/**
 * Storage over SQL, shared by Postgres and PGlite. Every write that must be atomic is a single
 * statement (ON CONFLICT, DELETE … RETURNING), so it is atomic on a pool without transactions.
 */
export class SqlStorage implements Storage {
  constructor(protected readonly db: SqlDatabase) {}

  /**
   * The database under this storage, for stores that must share it rather than open their own (the
   * knowledge store: a PGlite directory admits one instance; a replica should hold one pool).
   */
  get database(): SqlDatabase {
    return this.db;
  }

  async createConversation(c: Conversation): Promise<Conversation> {
    const [inserted] = await this.db.query<ConversationRow>(
      `INSERT INTO conversations (id, platform, name, organization_id, idempotency_key, metadata_json, created_at, updated_at, title, client_supports)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb)
       ON CONFLICT (organization_id, idempotency_key) DO NOTHING
       RETURNING *`,
      [c.id, c.platform, c.name, c.organizationId, c.idempotencyKey, json(c.metadataJson), c.createdAt, c.updatedAt, c.title ?? null, json(c.clientSupports)],
    );
    if (inserted) return toConversation(inserted);
    // Lost the race (or a retry): the conflicting row committed before DO NOTHING decided, so it is visible.
    const [existing] = await this.db.query<ConversationRow>(
      'SELECT * FROM conversations WHERE organization_id = $1 AND idempotency_key = $2',
      [c.organizationId, c.idempotencyKey],
    );
    if (!existing) throw new Error('conversation vanished between insert conflict and read');
    return toConversation(existing);
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    const [row] = await this.db.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);
    return row && toConversation(row);
  }

  async listConversations(query: ConversationQuery): Promise<ConversationPage> {
    const rows = await this.db.query<ConversationRow>(
      `SELECT c.* FROM conversations c
       WHERE c.organization_id = $1
         AND ($2::text IS NULL OR EXISTS (
           SELECT 1 FROM conversation_participants p
           WHERE p.conversation_id = c.id AND p.organization_id = $1 AND p.type = 'user' AND p.external_id = $2))
       ORDER BY c.created_at DESC, c.seq DESC
       LIMIT $3 OFFSET $4`,
      [query.organizationId, query.userExternalId ?? null, query.limit + 1, query.offset],
    );
    const page = rows.slice(0, query.limit).map(toConversation);
    return { conversations: page, nextOffset: rows.length > query.limit ? query.offset + page.length : null };
  }

  async updateConversation(id: string, patch: ConversationPatch): Promise<Conversation | undefined> {
    const [row] = await this.db.query<ConversationRow>(
      `UPDATE conversations SET title = COALESCE($2, title), client_supports = COALESCE($4::jsonb, client_supports), updated_at = $3
       WHERE id = $1 RETURNING *`,
      [id, patch.title ?? null, new Date().toISOString(), json(patch.clientSupports)],
    );
    return row && toConversation(row);
  }

  async countMessages(conversationId: string): Promise<number> {
    const [row] = await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM conversation_messages WHERE conversation_id = $1', [
      conversationId,
    ]);
    return Number(row?.n ?? 0);
  }

  async hasUserParticipant(organizationId: string, conversationId: string, userExternalId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM conversation_participants
       WHERE conversation_id = $1 AND external_id = $2 AND organization_id = $3 AND type = 'user' LIMIT 1`,
      [conversationId, userExternalId, organizationId],
    );
    return rows.length > 0;
  }

  async addParticipant(p: Participant): Promise<Participant> {
    await this.db.query(
      `INSERT INTO conversation_participants
         (id, conversation_id, organization_id, type, name, email, browser_fingerprint, external_id, internal_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET
         conversation_id = EXCLUDED.conversation_id, organization_id = EXCLUDED.organization_id, type = EXCLUDED.type,
         name = EXCLUDED.name, email = EXCLUDED.email, browser_fingerprint = EXCLUDED.browser_fingerprint,
         external_id = EXCLUDED.external_id, internal_id = EXCLUDED.internal_id, updated_at = EXCLUDED.updated_at`,
      [
        p.id,
        p.conversationId,
        p.organizationId,
        p.type,
        p.name,
        p.email ?? null,
        p.browserFingerprint ?? null,
        p.externalId ?? null,
        p.internalId ?? null,
        p.createdAt,
        p.updatedAt,
      ],
    );
    return structuredClone(p);
  }

  async getParticipant(id: string): Promise<Participant | undefined> {
    const [row] = await this.db.query<ParticipantRow>('SELECT * FROM conversation_participants WHERE id = $1', [id]);
    return row && toParticipant(row);
  }

  async appendMessage(m: Message): Promise<Message> {
    await this.db.query(
      `INSERT INTO conversation_messages (id, conversation_id, organization_id, direction, content, from_ref, to_ref, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8)`,
      [m.id, m.conversationId, m.organizationId, m.direction, json(m.content), json(m.from), json(m.to), m.createdAt],
    );
    return structuredClone(m);
  }

  async listMessages(query: MessageQuery): Promise<MessagePage> {
    const desc = query.order === 'desc';
    // An unknown cursor matches no row, so the bound falls back to "from the start" like no cursor at all.
    const rows = await this.db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages
       WHERE conversation_id = $1
         AND seq ${desc ? '<' : '>'} COALESCE(
           (SELECT seq FROM conversation_messages WHERE id = $2 AND conversation_id = $1),
           ${desc ? '9223372036854775807' : '0'})
       ORDER BY seq ${desc ? 'DESC' : 'ASC'}
       LIMIT $3`,
      [query.conversationId, query.cursor ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit).map(toMessage);
    const last = page[page.length - 1];
    return { messages: page, nextCursor: rows.length > query.limit && last ? last.id : null };
  }

  async createSession(s: Session): Promise<Session> {
    await this.db.query(
      `INSERT INTO conversation_sessions
         (session_id, conversation_id, organization_id, agent_id, agent_name, user_participant_id, agent_participant_id,
          thread_id, status, owner_organization_id, owner_user_id, metadata, created_at, updated_at,
          workflow_step_id, verified, contact)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16, $17::jsonb)
       ON CONFLICT (session_id) DO UPDATE SET
         conversation_id = EXCLUDED.conversation_id, organization_id = EXCLUDED.organization_id, agent_id = EXCLUDED.agent_id,
         agent_name = EXCLUDED.agent_name, user_participant_id = EXCLUDED.user_participant_id,
         agent_participant_id = EXCLUDED.agent_participant_id, thread_id = EXCLUDED.thread_id, status = EXCLUDED.status,
         owner_organization_id = EXCLUDED.owner_organization_id, owner_user_id = EXCLUDED.owner_user_id,
         metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at, workflow_step_id = EXCLUDED.workflow_step_id,
         verified = EXCLUDED.verified, contact = EXCLUDED.contact`,
      [
        s.sessionId,
        s.conversationId,
        s.organizationId,
        s.agentId,
        s.agentName,
        s.userParticipantId,
        s.agentParticipantId,
        s.threadId,
        s.status,
        s.owner.organizationId,
        s.owner.userId ?? null,
        json(s.metadata),
        s.createdAt,
        s.updatedAt,
        s.workflowStepId ?? null,
        s.verified ?? null,
        json(s.contact),
      ],
    );
    return structuredClone(s);
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    const [row] = await this.db.query<SessionRow>('SELECT * FROM conversation_sessions WHERE session_id = $1', [sessionId]);
    return row && toSession(row);
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<Session | undefined> {
    // One UPDATE: concurrent patches of different fields never lose each other's change.
    const [row] = await this.db.query<SessionRow>(
      `UPDATE conversation_sessions SET
         workflow_step_id = CASE WHEN $2::boolean THEN $3::text ELSE workflow_step_id END,
         verified = COALESCE($4::boolean, verified),
         contact = CASE WHEN $5::jsonb IS NULL THEN contact ELSE COALESCE(contact, '{}'::jsonb) || $5::jsonb END,
         updated_at = $6
       WHERE session_id = $1
       RETURNING *`,
      [
        sessionId,
        patch.workflowStepId !== undefined,
        patch.workflowStepId ?? null,
        patch.verified ?? null,
        patch.contact === undefined ? null : json(patch.contact),
        new Date().toISOString(),
      ],
    );
    return row && toSession(row);
  }

  async putPendingApproval(a: PendingApproval): Promise<void> {
    await this.db.query(
      `INSERT INTO pending_approvals (session_id, request_id, tool_call_id, tool_name, arguments, checkpoint, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
       ON CONFLICT (session_id) DO UPDATE SET
         request_id = EXCLUDED.request_id, tool_call_id = EXCLUDED.tool_call_id, tool_name = EXCLUDED.tool_name,
         arguments = EXCLUDED.arguments, checkpoint = EXCLUDED.checkpoint, created_at = EXCLUDED.created_at,
         expires_at = EXCLUDED.expires_at`,
      [a.sessionId, a.requestId, a.toolCallId, a.toolName, a.arguments, json(a.checkpoint), a.createdAt, a.expiresAt],
    );
  }

  async getPendingApproval(sessionId: string): Promise<PendingApproval | undefined> {
    const [row] = await this.db.query<ApprovalRow>('SELECT * FROM pending_approvals WHERE session_id = $1', [sessionId]);
    return row && toApproval(row);
  }

  async takePendingApproval(sessionId: string, match?: ApprovalMatch): Promise<PendingApproval | undefined> {
    // One statement: Postgres row-locks the row, so of two concurrent deletes only one returns it.
    const [row] = await this.db.query<ApprovalRow>(
      `DELETE FROM pending_approvals
       WHERE session_id = $1 AND ($2::text IS NULL OR (request_id = $2 AND tool_call_id = $3))
       RETURNING *`,
      [sessionId, match?.requestId ?? null, match?.toolCallId ?? null],
    );
    return row && toApproval(row);
  }

  async sweepExpiredApprovals(before: Date): Promise<number> {
    const rows = await this.db.query<{ session_id: string }>('DELETE FROM pending_approvals WHERE expires_at < $1 RETURNING session_id', [before.toISOString()]);
    return rows.length;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
