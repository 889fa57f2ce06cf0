import { isSmoothAgentError, SmoothAgentError } from '../client/errors.js';
import { replyOf, tokenOf, toolActivityOf, type AgentEvent, type Citation } from '../client/events.js';
import type { ConversationMessage } from '../client/payloads.js';
import type { InteractionCard, OtpPrompt } from './interaction-state.js';

/**
 * What the widget shows, as plain data. Updates build new objects (never mutate), so lit sees a
 * changed reference and re-renders only what changed.
 */
export interface ToolStep {
  name: string;
  state: 'running' | 'done' | 'failed';
}

export interface Approval {
  id: string;
  toolId: string;
  description: string;
  state: 'pending' | 'sending' | 'approved' | 'denied' | 'expired';
  /** The `send_message` requestId of the turn parked on this approval; lets a new connection resume it. */
  requestId?: string;
}

export interface UserItem {
  kind: 'user';
  id: string;
  text: string;
}

export interface AgentItem {
  kind: 'agent';
  id: string;
  text: string;
  /** `waiting`: sent, nothing back yet (typing indicator). */
  status: 'waiting' | 'streaming' | 'done' | 'stopped' | 'failed';
  tools: ToolStep[];
  approvals: Approval[];
  citations: Citation[];
  /** The stored reply's id, once the turn has ended (keys its sources and tool steps across reloads). */
  messageId?: string;
  error?: string;
  /** Rich Interaction cards and the OTP prompt of this answer (interaction-state.ts). */
  interactions?: InteractionCard[];
  otp?: OtpPrompt;
}

/** A message from a human operator (handoff), shown with their name. */
export interface HumanItem {
  kind: 'human';
  id: string;
  name: string;
  text: string;
}

/** Nobody was available: the visitor may leave an email for a follow-up. */
export interface ContactItem {
  kind: 'contact';
  id: string;
  state: 'open' | 'sending' | 'saved';
  error?: string;
}

export interface NoticeItem {
  kind: 'notice';
  id: string;
  text: string;
  tone: 'info' | 'error';
}

export type TranscriptItem = UserItem | AgentItem | NoticeItem | HumanItem | ContactItem;

export function newAgentItem(id: string): AgentItem {
  return { kind: 'agent', id, text: '', status: 'waiting', tools: [], approvals: [], citations: [] };
}

/** Visitor-facing wording for a failure code; the raw server message is kept for the rest. */
export function describeFailure(error: unknown): string {
  if (!isSmoothAgentError(error)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'CONNECTION_LOST':
      return 'The connection dropped before the answer finished. Please ask again.';
    case 'CONNECTION_FAILED':
    case 'CLOSED':
      return 'The support service cannot be reached right now. Please try again in a moment.';
    case 'TIMEOUT':
      return 'The support service took too long to respond. Please try again.';
    case 'AGENT_ERROR':
    case 'LLM_UNAVAILABLE':
    case 'INTERNAL_ERROR':
      return 'The assistant could not answer right now. Please try again.';
    case 'RATE_LIMITED':
      return 'Too many messages at once. Please wait a moment.';
    case 'SHUTTING_DOWN':
      return 'The service is restarting. Please ask again in a moment.';
    case 'NO_PENDING_CONFIRMATION':
      return 'That request is no longer waiting for an answer.';
    default:
      return error.message;
  }
}

function finishApprovals(approvals: Approval[]): Approval[] {
  return approvals.map((a) => (a.state === 'pending' || a.state === 'sending' ? { ...a, state: 'expired' } : a));
}

function withToolActivity(item: AgentItem, event: Extract<AgentEvent, { type: 'stream_chunk' }>): AgentItem {
  const activity = toolActivityOf(event);
  if (!activity) return item;
  if (activity.phase === 'call') return { ...item, tools: [...item.tools, { name: activity.name, state: 'running' }] };
  // The result belongs to the latest still-running call of that tool.
  const index = item.tools.map((t) => t.state === 'running' && t.name === activity.name).lastIndexOf(true);
  if (index === -1) return { ...item, tools: [...item.tools, { name: activity.name, state: activity.isError ? 'failed' : 'done' }] };
  const tools = item.tools.map((t, i): ToolStep => (i === index ? { ...t, state: activity.isError ? 'failed' : 'done' } : t));
  return { ...item, tools };
}

/** Folds one event of the item's turn into it. */
export function applyTurnEvent(item: AgentItem, event: AgentEvent): AgentItem {
  switch (event.type) {
    case 'stream_token':
      return { ...item, text: item.text + tokenOf(event), status: 'streaming' };
    case 'stream_chunk':
      return withToolActivity({ ...item, status: item.status === 'waiting' ? 'streaming' : item.status }, event);
    case 'write_confirmation_required': {
      const { toolId, actionDescription } = event.data.data;
      const approval: Approval = {
        id: `${item.id}-approval-${item.approvals.length}`,
        toolId,
        description: actionDescription,
        state: 'pending',
        ...(event.data.requestId ? { requestId: event.data.requestId } : {}),
      };
      return { ...item, approvals: [...item.approvals, approval] };
    }
    case 'eventual_response': {
      const reply = replyOf(event);
      return {
        ...item,
        text: reply !== '' ? reply : item.text,
        status: 'done',
        messageId: event.data.data.messageId,
        citations: event.data.data.citations ?? [],
        approvals: finishApprovals(item.approvals),
      };
    }
    case 'cancelled':
      return { ...item, status: 'stopped', approvals: finishApprovals(item.approvals) };
    case 'error':
      return failItem(item, new SmoothAgentError(event.error.code, event.error.message, { source: 'server' }));
    default:
      return item;
  }
}

/** Marks a turn that ended without a terminal event (or whose terminal event was an error). */
export function failItem(item: AgentItem, error: unknown): AgentItem {
  return { ...item, status: 'failed', error: describeFailure(error), approvals: finishApprovals(item.approvals) };
}

/**
 * The server keeps a turn parked on an approval when the socket drops, so a visitor can still answer
 * it after the reconnect: a turn lost that way keeps its pending card (instead of failing) and waits.
 */
export function suspendForApproval(item: AgentItem, error: unknown): AgentItem | undefined {
  if (!isSmoothAgentError(error, 'CONNECTION_LOST')) return undefined;
  if (!item.approvals.some((a) => a.state === 'pending' && a.requestId !== undefined)) return undefined;
  return { ...item, status: item.status === 'waiting' ? 'streaming' : item.status };
}

export function setApprovalState(item: AgentItem, approvalId: string, state: Approval['state']): AgentItem {
  return { ...item, approvals: item.approvals.map((a) => (a.id === approvalId ? { ...a, state } : a)) };
}

/** What the widget remembers of an answer beyond its text: its sources and tool steps. */
export interface AnswerAnnotations {
  citations: Citation[];
  tools: ToolStep[];
}

/**
 * History from `get_conversation_messages` (newest first) as transcript items, oldest first.
 * Answers get back the sources and tool steps remembered for them; operator messages their name.
 */
export function itemsFromHistory(
  messages: readonly ConversationMessage[],
  annotations: (messageId: string) => AnswerAnnotations | undefined = () => undefined,
): TranscriptItem[] {
  const items: TranscriptItem[] = [];
  for (const message of [...messages].reverse()) {
    const text = message.content.text ?? '';
    if (text === '') continue;
    const id = `history-${message.id}`;
    if (message.direction === 'inbound') items.push({ kind: 'user', id, text });
    else if (message.from?.type === 'human-agent') items.push({ kind: 'human', id, name: message.from.name ?? 'Support', text });
    else {
      const kept = annotations(message.id);
      items.push({ ...newAgentItem(id), text, status: 'done', messageId: message.id, citations: kept?.citations ?? [], tools: kept?.tools ?? [] });
    }
  }
  return items;
}

/** An answer that ended with nothing to show: a message delivered to a person instead of the AI. */
export function isSilentAnswer(item: AgentItem): boolean {
  return item.status === 'done' && item.text === '' && item.tools.length === 0 && item.approvals.length === 0 && item.citations.length === 0;
}
