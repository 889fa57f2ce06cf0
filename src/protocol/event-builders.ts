import type { AgentResponse, Citation, ErrorBody, InteractionFieldError, JsonValue, OtpChannel, OtpFailure, ServerEvent, ToolChunkState, Usage } from './events.js';

/**
 * `requestId` is omitted, never null, when the action had none — spread this into literals.
 */
function rid(requestId: string | undefined): { requestId?: string } {
  return requestId === undefined ? {} : { requestId };
}

export function pong(requestId: string | undefined, now: number): ServerEvent {
  return { type: 'pong', ...rid(requestId), timestamp: now, data: { timestamp: now } };
}

export function immediate(
  requestId: string | undefined,
  status: number,
  message: string,
  data: object,
  now: number,
): ServerEvent {
  return { type: 'immediate_response', ...rid(requestId), status, message, data, timestamp: now };
}

export function errorEvent(requestId: string | undefined, error: ErrorBody, now: number): ServerEvent {
  const body = { code: error.code, message: error.message };
  return { type: 'error', ...rid(requestId), error: body, data: { ...rid(requestId), error: { ...body } }, timestamp: now };
}

export function streamToken(requestId: string, token: string, now: number): ServerEvent {
  return { type: 'stream_token', requestId, token, data: { requestId, token }, timestamp: now };
}

export function streamChunk(requestId: string, node: string, state: ToolChunkState, now: number): ServerEvent {
  return { type: 'stream_chunk', requestId, node, data: { requestId, node, state }, timestamp: now };
}

export function writeConfirmationRequired(requestId: string, toolName: string, now: number, description?: string): ServerEvent {
  return {
    type: 'write_confirmation_required',
    requestId,
    data: { requestId, data: { toolId: toolName, actionDescription: description ?? `Tool '${toolName}' requires confirmation. Allow?` } },
    timestamp: now,
  };
}

export function generalAgentResponse(reply: string): AgentResponse {
  return {
    responseParts: [reply],
    customerHappinessScore: 0.5,
    needsSatisfactionScore: 0.5,
    requestSummary: '',
    resolutionStatus: 'in_progress',
    suggestedNextActions: [],
  };
}

export interface EventualResponseInput {
  requestId: string;
  messageId: string;
  reply: string;
  citations: Citation[];
  usage: Usage | undefined;
  /** The turn wants a human: its knowledge search found nothing (or it escalated). */
  needsEscalation?: boolean;
  escalationReason?: string;
}

export function eventualResponse(input: EventualResponseInput, now: number): ServerEvent {
  const inner = {
    messageId: input.messageId,
    response: input.needsEscalation ? { ...generalAgentResponse(input.reply), resolutionStatus: 'requires_escalation' as const } : generalAgentResponse(input.reply),
    needsEscalation: input.needsEscalation === true,
    ...(input.needsEscalation && input.escalationReason ? { escalationReason: input.escalationReason } : {}),
    // Empty or absent optional payloads are omitted, not sent as [] or null.
    ...(input.citations.length > 0 ? { citations: input.citations } : {}),
    ...(input.usage ? { usage: input.usage } : {}),
  };
  return {
    type: 'eventual_response',
    requestId: input.requestId,
    status: 200,
    data: { requestId: input.requestId, status: 200, data: inner },
    timestamp: now,
  };
}

export function cancelled(requestId: string | undefined, now: number): ServerEvent {
  return { type: 'cancelled', ...rid(requestId), status: 499, data: { ...rid(requestId), status: 499 }, timestamp: now };
}

/** Rich Interactions and OTP events share one shape: `data: { requestId, data: <payload> }`. */
export function interactionRequired(
  requestId: string,
  payload: { interactionId: string; kind: string; spec: { [key: string]: JsonValue }; reason: string },
  now: number,
): ServerEvent {
  return { type: 'interaction_required', requestId, data: { requestId, data: payload }, timestamp: now };
}

export function interactionInvalid(
  requestId: string,
  payload: { interactionId: string; kind: string; errors: InteractionFieldError[]; message: string },
  now: number,
): ServerEvent {
  return { type: 'interaction_invalid', requestId, data: { requestId, data: payload }, timestamp: now };
}

export function otpVerificationRequired(
  requestId: string,
  payload: { toolId: string; actionDescription: string; availableChannels: OtpChannel[]; authLevel: string },
  now: number,
): ServerEvent {
  return { type: 'otp_verification_required', requestId, data: { requestId, data: payload }, timestamp: now };
}

export function otpSent(requestId: string, payload: { channel: OtpChannel; maskedDestination: string }, now: number): ServerEvent {
  return { type: 'otp_sent', requestId, data: { requestId, data: payload }, timestamp: now };
}

export function otpVerified(requestId: string, message: string, now: number): ServerEvent {
  return { type: 'otp_verified', requestId, data: { requestId, data: { message } }, timestamp: now };
}

export function otpInvalid(
  requestId: string,
  payload: { error?: OtpFailure; attemptsRemaining: number; message: string },
  now: number,
): ServerEvent {
  return { type: 'otp_invalid', requestId, data: { requestId, data: payload }, timestamp: now };
}
