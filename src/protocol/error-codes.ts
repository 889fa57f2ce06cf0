/**
 * Every error code this server puts on the wire. One catalogue, so a code is never a free string
 * and docs/protocol.md can be checked against it.
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: 'The frame or one of its fields is malformed.',
  UNSUPPORTED_ACTION: 'The action is not one this server implements.',
  SESSION_NOT_FOUND: 'No session with that id is visible to this connection.',
  LLM_UNAVAILABLE: 'No LLM gateway key is configured, so turns cannot run.',
  AGENT_ERROR: 'The turn failed (LLM error after retries, stream died, or an internal fault).',
  INTERNAL_ERROR: 'An unexpected server fault; details are in the server log only.',
  STORAGE_ERROR: 'The storage backend failed.',
  NO_PENDING_CONFIRMATION: 'confirm_tool_action arrived with no tool call awaiting approval.',
  TURN_IN_PROGRESS: 'send_message arrived while this connection already has a turn running.',
  RATE_LIMITED: 'Too many frames or connections.',
  SHUTTING_DOWN: 'The server is draining for shutdown and accepts no new turns (or stopped a turn that could not outlive it).',
  TURN_CONTINUED_ELSEWHERE: 'The tool action this turn waited on was answered on another connection, which continues the turn.',
  UNAUTHENTICATED: 'Admin request without a bearer token.',
  INVALID_TOKEN: 'Admin request whose token was not accepted (or the admin API is disabled).',
  MISSING_ROLE: 'The token carries no recognised role claim.',
  FORBIDDEN: 'The caller\'s role is below what the admin route requires.',
  NOT_FOUND: 'Admin resource does not exist in the caller\'s organization.',
  AGENT_NOT_AUTHORIZED: 'The agent has no widget embedding policy and WIDGET_AUTH_STRICT refuses such agents.',
  ORIGIN_NOT_ALLOWED: 'The page embedding the widget is not on the agent\'s origin allowlist.',
  CONVERSATION_NOT_FOUND: 'No conversation with that id belongs to the signed-in caller (rename_conversation, create_conversation_session.conversationId).',
  NO_PENDING_INTERACTION: 'submit_interaction arrived with no interaction awaiting a response for the session.',
  INTERACTION_MISMATCH: 'submit_interaction named another interaction (or kind, or requestId) than the one the turn is parked on.',
  AUTH_CONTEXT_INVALID: 'create_conversation_session carried an authContext whose HMAC signature or timestamp did not verify.',
  HANDOFF_CONFLICT: 'The handoff move is not allowed from the conversation\'s current state, or it changed concurrently.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown anywhere in a handler; converted to a protocol `error` event in exactly one place. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
