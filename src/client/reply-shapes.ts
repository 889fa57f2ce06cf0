import { SmoothAgentError } from './errors.js';
import type { ConfirmResult, HandoffRequestResult, MessagePage, SessionInfo, SessionSnapshot } from './payloads.js';

/**
 * Light shape checks on `immediate_response.data`, so a misbehaving server surfaces as a typed
 * BAD_RESPONSE at the call site instead of an `undefined` deep inside the caller's code.
 */
type Data = { [key: string]: unknown };

function bad(what: string, requestId: string): SmoothAgentError {
  return new SmoothAgentError('BAD_RESPONSE', `the server's answer is not a valid ${what}`, { requestId });
}

function hasStrings(data: Data, keys: readonly string[]): boolean {
  return keys.every((key) => typeof data[key] === 'string');
}

const SESSION_KEYS = ['sessionId', 'conversationId', 'agentName', 'userParticipantId', 'agentParticipantId'] as const;

export function sessionInfo(data: Data, requestId: string): SessionInfo {
  if (!hasStrings(data, SESSION_KEYS)) throw bad('session', requestId);
  return data as unknown as SessionInfo;
}

export function sessionSnapshot(data: Data, requestId: string): SessionSnapshot {
  if (!hasStrings(data, SESSION_KEYS)) throw bad('session', requestId);
  return data as unknown as SessionSnapshot;
}

export function messagePage(data: Data, requestId: string): MessagePage {
  if (!Array.isArray(data.messages) || typeof data.hasMore !== 'boolean') throw bad('message page', requestId);
  return { messages: data.messages as MessagePage['messages'], hasMore: data.hasMore, nextCursor: typeof data.nextCursor === 'string' ? data.nextCursor : null };
}

export function confirmResult(data: Data, requestId: string): ConfirmResult {
  if (typeof data.sessionId !== 'string' || typeof data.approved !== 'boolean') throw bad('confirmation', requestId);
  return { sessionId: data.sessionId, approved: data.approved };
}

export function handoffRequestResult(data: Data, requestId: string): HandoffRequestResult {
  if (typeof data.conversationId !== 'string' || typeof data.state !== 'string' || typeof data.available !== 'boolean') throw bad('handoff request', requestId);
  return data as unknown as HandoffRequestResult;
}
