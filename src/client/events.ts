/**
 * Server → client events, typed from the wire contract (`shared/spec/events/*.schema.json`).
 *
 * These are deliberately written from the spec rather than re-exported from `src/protocol`: the
 * server's own types describe what *this* server emits (a subset), while a client must accept
 * everything the protocol allows. `test/client-types.test.ts` checks that every event this server
 * builds is assignable to these types, so the two cannot drift apart silently.
 *
 * Optional keys follow the schemas: `requestId` and `timestamp` are optional on every event.
 */
import type { ErrorCode } from '../protocol/error-codes.js';

export interface Citation {
  id: string;
  title: string;
  /** Present only when the source is an http(s) address. */
  url?: string;
  snippet: string;
  score: number;
}

export interface Usage {
  costUsd?: number;
  promptTokens?: number;
  completionTokens?: number;
}

/** `GeneralAgentResponse` from `actions/send-message.schema.json`. */
export interface AgentResponse {
  responseParts: string[];
  customerHappinessScore: number;
  needsSatisfactionScore: number;
  requestSummary: string;
  resolutionStatus: 'resolved' | 'in_progress' | 'requires_escalation' | 'needs_more_info' | 'blocked';
  suggestedNextActions: string[];
}

export interface ErrorBody {
  /** A code from the server's catalogue; other servers may add codes, hence the open string. */
  code: ErrorCode | (string & {});
  message: string;
}

/** Any JSON value; used where the spec leaves a payload open. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface EventBase {
  requestId?: string;
  /** Unix epoch milliseconds. */
  timestamp?: number;
}

export interface PongEvent extends EventBase {
  type: 'pong';
  data: { timestamp: number };
}

export interface ImmediateResponseEvent extends EventBase {
  type: 'immediate_response';
  status?: number;
  message?: string;
  /** Depends on the action answered; the client's methods return it typed (see payloads.ts). */
  data: object;
}

export interface ErrorEvent extends EventBase {
  type: 'error';
  error: ErrorBody;
  data: { requestId?: string; error: ErrorBody; details?: Json };
}

interface TokenEvent<T extends string> extends EventBase {
  type: T;
  token?: string;
  data: { requestId: string; token: string };
}
export type StreamTokenEvent = TokenEvent<'stream_token'>;
export type StreamReasoningEvent = TokenEvent<'stream_reasoning'>;
export type StreamPreambleEvent = TokenEvent<'stream_preamble'>;

/** `rawResponse` of a tool chunk as this server (and the reference) emits it; see `toolActivityOf`. */
export type ToolChunkRaw =
  | { toolCall: { name: string; arguments: string } }
  | { toolResult: { name: string; isError: boolean; result: string } };

export interface StreamChunkEvent extends EventBase {
  type: 'stream_chunk';
  node?: string;
  data: {
    requestId: string;
    node: string;
    state: {
      rawResponse?: ToolChunkRaw | Json;
      structuredResponse?: Json;
      pendingWriteConfirmation?: { [key: string]: Json } | null;
      pendingOtpVerification?: { [key: string]: Json } | null;
    };
    done?: boolean;
  };
}

export interface WriteConfirmationRequiredEvent extends EventBase {
  type: 'write_confirmation_required';
  data: { requestId: string; data: { toolId: string; actionDescription: string } };
}

export interface EventualResponsePayload {
  messageId: string;
  response: AgentResponse;
  needsEscalation?: boolean;
  escalationReason?: string;
  usage?: Usage;
  citations?: Citation[];
  directive?: { [key: string]: Json } | null;
}

export interface EventualResponseEvent extends EventBase {
  type: 'eventual_response';
  status?: number;
  data: { requestId: string; status: number; data: EventualResponsePayload };
}

export interface CancelledEvent extends EventBase {
  type: 'cancelled';
  status: 499;
  data?: { requestId?: string; status: 499 };
}

export interface KeepaliveEvent extends EventBase {
  type: 'keepalive';
  data: { requestId: string };
}

type Nested<T extends string, D> = EventBase & { type: T; data: { requestId: string; data: D } };

export type OtpVerificationRequiredEvent = Nested<
  'otp_verification_required',
  { toolId: string; actionDescription: string; availableChannels: Array<'email' | 'sms'>; authLevel: string }
>;
export type OtpSentEvent = Nested<'otp_sent', { channel: 'email' | 'sms'; maskedDestination: string }>;
export type OtpVerifiedEvent = Nested<'otp_verified', { message: string }>;
export type OtpInvalidEvent = Nested<
  'otp_invalid',
  { error?: 'INVALID_CODE' | 'MAX_ATTEMPTS' | 'NOT_FOUND' | 'EXPIRED'; attemptsRemaining: number; message: string }
>;
export type InteractionRequiredEvent = Nested<
  'interaction_required',
  { interactionId: string; kind: string; spec: { [key: string]: Json }; reason: string }
>;
export type InteractionInvalidEvent = Nested<
  'interaction_invalid',
  { interactionId: string; kind: string; errors: Array<{ field: string; message: string }>; message: string }
>;

/**
 * The project's handoff extension (docs/protocol.md, Handoff): pushed to the session's sockets
 * when a person is asked for, takes over, or hands back, and for each message an operator sends.
 */
export type HandoffState = 'bot' | 'waiting' | 'human' | 'closed';

export interface HandoffStateEvent extends EventBase {
  type: 'handoff_state';
  data: { conversationId: string; state: HandoffState; available?: boolean; operator?: { name: string } };
}

export interface HumanMessageEvent extends EventBase {
  type: 'human_message';
  data: { conversationId: string; messageId: string; text: string; sender: { name: string } };
}

/** Every event the protocol defines, and the handoff extension's. */
export type AgentEvent =
  | PongEvent
  | ImmediateResponseEvent
  | ErrorEvent
  | StreamTokenEvent
  | StreamReasoningEvent
  | StreamPreambleEvent
  | StreamChunkEvent
  | WriteConfirmationRequiredEvent
  | EventualResponseEvent
  | CancelledEvent
  | KeepaliveEvent
  | OtpVerificationRequiredEvent
  | OtpSentEvent
  | OtpVerifiedEvent
  | OtpInvalidEvent
  | InteractionRequiredEvent
  | InteractionInvalidEvent
  | HandoffStateEvent
  | HumanMessageEvent;

export type AgentEventType = AgentEvent['type'];
export type AgentEventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;

const EVENT_TYPES: ReadonlySet<string> = new Set<AgentEventType>([
  'pong',
  'immediate_response',
  'error',
  'stream_token',
  'stream_reasoning',
  'stream_preamble',
  'stream_chunk',
  'write_confirmation_required',
  'eventual_response',
  'cancelled',
  'keepalive',
  'otp_verification_required',
  'otp_sent',
  'otp_verified',
  'otp_invalid',
  'interaction_required',
  'interaction_invalid',
  'handoff_state',
  'human_message',
]);

/**
 * Narrows a parsed frame to an event. Only the envelope is checked (an object with a known `type`
 * and a `data` object, `cancelled` excepted): the server validates its own output against the
 * schemas, and a client that re-validated every token would pay for it on every frame.
 */
export function asAgentEvent(value: unknown): AgentEvent | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as { type?: unknown; data?: unknown };
  if (typeof record.type !== 'string' || !EVENT_TYPES.has(record.type)) return undefined;
  if (record.type !== 'cancelled' && (typeof record.data !== 'object' || record.data === null)) return undefined;
  return value as AgentEvent;
}

/** The request an event answers: top-level `requestId`, else the copy inside `data`. */
export function requestIdOf(event: AgentEvent): string | undefined {
  if (event.requestId !== undefined) return event.requestId;
  const inner = event.data as { requestId?: unknown } | undefined;
  return typeof inner?.requestId === 'string' ? inner.requestId : undefined;
}

/** The token of a `stream_token`/`stream_reasoning`/`stream_preamble` event. */
export function tokenOf(event: StreamTokenEvent | StreamReasoningEvent | StreamPreambleEvent): string {
  return event.token ?? event.data.token;
}

/** The reply text of a final answer (the protocol allows several parts; this server sends one). */
export function replyOf(event: EventualResponseEvent): string {
  const parts = event.data.data.response?.responseParts;
  return Array.isArray(parts) ? parts.filter((p) => typeof p === 'string').join('\n\n') : '';
}

export type ToolActivity =
  | { phase: 'call'; name: string; arguments: string }
  | { phase: 'result'; name: string; isError: boolean; result: string };

/** Reads a tool call or tool result out of a `stream_chunk`; undefined for any other chunk. */
export function toolActivityOf(event: StreamChunkEvent): ToolActivity | undefined {
  const raw = event.data.state.rawResponse;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as { toolCall?: unknown; toolResult?: unknown };
  const call = record.toolCall as { name?: unknown; arguments?: unknown } | undefined;
  if (call && typeof call.name === 'string') {
    return { phase: 'call', name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : '' };
  }
  const result = record.toolResult as { name?: unknown; isError?: unknown; result?: unknown } | undefined;
  if (result && typeof result.name === 'string') {
    return {
      phase: 'result',
      name: result.name,
      isError: result.isError === true,
      result: typeof result.result === 'string' ? result.result : '',
    };
  }
  return undefined;
}
