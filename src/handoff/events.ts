import type { HandoffRecord, HandoffState } from './types.js';

/**
 * Frames of the project's protocol extension (docs/protocol.md, "Handoff"; schemas in
 * src/protocol/schemas/). Visitor-facing ones go to the session's sockets, operator-facing ones to
 * the consoles subscribed for the organization.
 */
export interface HandoffStateEvent {
  type: 'handoff_state';
  data: { conversationId: string; state: HandoffState; available?: boolean; operator?: { name: string } };
  timestamp: number;
}

export interface HumanMessageEvent {
  type: 'human_message';
  data: { conversationId: string; messageId: string; text: string; sender: { name: string } };
  timestamp: number;
}

/** What the console and GET /admin/handoffs show of a handoff: no session id, ever. */
export interface HandoffView {
  conversationId: string;
  state: HandoffState;
  trigger: string | null;
  reason: string | null;
  requestedAt: string | null;
  /** Seconds since the conversation started waiting; 0 unless waiting. */
  waitSeconds: number;
  operator: { id: string; name: string } | null;
  visitorEmail: string | null;
  updatedAt: string;
}

export interface HandoffMessageView {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string;
  sender: { type: string; name: string | null };
  createdAt: string;
}

export interface HandoffUpdateEvent {
  type: 'handoff_update';
  data: HandoffView;
  timestamp: number;
}

export interface HandoffMessageEvent {
  type: 'handoff_message';
  data: { conversationId: string; message: HandoffMessageView };
  timestamp: number;
}

export function handoffView(record: HandoffRecord, now: Date): HandoffView {
  const waitSeconds = record.state === 'waiting' && record.requestedAt ? Math.max(0, Math.floor((now.getTime() - Date.parse(record.requestedAt)) / 1000)) : 0;
  return {
    conversationId: record.conversationId,
    state: record.state,
    trigger: record.trigger ?? null,
    reason: record.reason ?? null,
    requestedAt: record.requestedAt ?? null,
    waitSeconds,
    operator: record.operator ? { ...record.operator } : null,
    visitorEmail: record.visitorEmail ?? null,
    updatedAt: record.updatedAt,
  };
}
