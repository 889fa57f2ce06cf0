import type { Conversation, Message, Participant, PendingApproval, Session, SessionContact, SessionStatus, TurnCheckpoint } from '../types.js';

/** Column values as both drivers return them: timestamptz as Date, jsonb parsed. */
type Timestamp = Date | string;

export interface ConversationRow {
  id: string;
  seq?: string | number;
  platform: 'web';
  name: string;
  organization_id: string;
  idempotency_key: string;
  metadata_json: Record<string, unknown> | null;
  title?: string | null;
  client_supports?: string[] | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ParticipantRow {
  id: string;
  conversation_id: string;
  organization_id: string;
  type: Participant['type'];
  name: string;
  email: string | null;
  browser_fingerprint: string | null;
  external_id: string | null;
  internal_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  organization_id: string;
  direction: Message['direction'];
  content: Message['content'];
  from_ref: Message['from'] | null;
  to_ref: Message['to'] | null;
  created_at: Timestamp;
}

export interface SessionRow {
  session_id: string;
  conversation_id: string;
  organization_id: string;
  agent_id: string;
  agent_name: string;
  user_participant_id: string;
  agent_participant_id: string;
  thread_id: string;
  status: SessionStatus;
  owner_organization_id: string;
  owner_user_id: string | null;
  metadata: Record<string, unknown>;
  workflow_step_id?: string | null;
  verified?: boolean | null;
  contact?: SessionContact | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApprovalRow {
  session_id: string;
  request_id: string;
  tool_call_id: string;
  tool_name: string;
  arguments: string;
  checkpoint: TurnCheckpoint | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export const iso = (value: Timestamp): string => (value instanceof Date ? value : new Date(value)).toISOString();

/** jsonb parameters go in as text with an explicit cast, so neither driver guesses (pg would turn arrays into SQL arrays). */
export const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    platform: row.platform,
    name: row.name,
    organizationId: row.organization_id,
    idempotencyKey: row.idempotency_key,
    ...(row.metadata_json !== null ? { metadataJson: row.metadata_json } : {}),
    ...(row.title != null ? { title: row.title } : {}),
    ...(row.client_supports != null ? { clientSupports: row.client_supports } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toParticipant(row: ParticipantRow): Participant {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    organizationId: row.organization_id,
    type: row.type,
    name: row.name,
    ...(row.email !== null ? { email: row.email } : {}),
    ...(row.browser_fingerprint !== null ? { browserFingerprint: row.browser_fingerprint } : {}),
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    ...(row.internal_id !== null ? { internalId: row.internal_id } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    organizationId: row.organization_id,
    direction: row.direction,
    content: row.content,
    ...(row.from_ref ? { from: row.from_ref } : {}),
    ...(row.to_ref ? { to: row.to_ref } : {}),
    createdAt: iso(row.created_at),
  };
}

export function toSession(row: SessionRow): Session {
  return {
    sessionId: row.session_id,
    conversationId: row.conversation_id,
    organizationId: row.organization_id,
    agentId: row.agent_id,
    agentName: row.agent_name,
    userParticipantId: row.user_participant_id,
    agentParticipantId: row.agent_participant_id,
    threadId: row.thread_id,
    status: row.status,
    owner: { organizationId: row.owner_organization_id, ...(row.owner_user_id !== null ? { userId: row.owner_user_id } : {}) },
    metadata: row.metadata,
    ...(row.workflow_step_id != null ? { workflowStepId: row.workflow_step_id } : {}),
    ...(row.verified != null ? { verified: row.verified } : {}),
    ...(row.contact != null ? { contact: row.contact } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toApproval(row: ApprovalRow): PendingApproval {
  return {
    sessionId: row.session_id,
    requestId: row.request_id,
    toolCallId: row.tool_call_id,
    toolName: row.tool_name,
    arguments: row.arguments,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    ...(row.checkpoint !== null ? { checkpoint: row.checkpoint } : {}),
  };
}
