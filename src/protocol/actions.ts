import { z } from 'zod';

/**
 * Inbound action schemas. Field order matters: the first failing field's message is the one the
 * client sees, which reproduces the reference's check order (requestId → sessionId → message).
 * Error texts are wire-visible strings that existing clients match on.
 */
const sessionId = (message: string) => z.string({ error: message }).trim().min(1, { error: message });

export const pingAction = z.object({ action: z.literal('ping') });

export const createSessionAction = z.object({
  action: z.literal('create_conversation_session'),
  agentId: z.string({ error: "'agentId' must be a string" }).trim().min(1).optional(),
  userName: z.string({ error: "'userName' must be a string" }).optional(),
  userEmail: z.string({ error: "'userEmail' must be a string" }).optional(),
  browserFingerprint: z.string({ error: "'browserFingerprint' must be a string" }).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: "'metadata' must be an object" }).optional(),
  supports: z.array(z.string(), { error: "'supports' must be an array of strings" }).optional(),
  // Resumes one of the signed-in caller's own conversations instead of starting a new one.
  conversationId: z.string({ error: "'conversationId' must be a string" }).trim().min(1, { error: "'conversationId' must not be empty" }).optional(),
  // `{userId, signature, timestamp}`, signed by the widget host. Its shape is checked by the widget
  // policy, not here: the reference ignores it for agents without a policy and reports a malformed
  // one as AUTH_CONTEXT_INVALID (after the origin check), never as VALIDATION_ERROR.
  authContext: z.unknown().optional(),
});

export const getSessionAction = z.object({
  action: z.literal('get_session'),
  sessionId: sessionId("missing 'sessionId'"),
});

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

export const getMessagesAction = z.object({
  action: z.literal('get_conversation_messages'),
  sessionId: sessionId("missing 'sessionId'"),
  // The reference silently falls back to 50 for a non-positive or non-integer limit; we do the same
  // and cap at the spec's maximum rather than letting one request page the whole history.
  limit: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE)),
  cursor: z.string({ error: "'cursor' must be a string" }).optional(),
});

export const MAX_MESSAGE_CHARS = 10_000;

export const sendMessageAction = z.object({
  action: z.literal('send_message'),
  requestId: z.string({ error: "send_message requires a 'requestId'" }).min(1, { error: "send_message requires a 'requestId'" }),
  sessionId: sessionId("missing 'sessionId'"),
  message: z
    .string({ error: "missing or empty 'message'" })
    .refine((m) => m.trim() !== '', { error: "missing or empty 'message'" })
    .refine((m) => m.length <= MAX_MESSAGE_CHARS, { error: `'message' exceeds ${MAX_MESSAGE_CHARS} characters` }),
  // A blank or non-string override is ignored, as in the reference.
  model: z.unknown().optional().transform((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)),
});

export const confirmToolAction = z.object({
  action: z.literal('confirm_tool_action'),
  sessionId: sessionId("confirm_tool_action requires a 'sessionId'"),
  approved: z.boolean({ error: "confirm_tool_action requires a boolean 'approved'" }),
});

export const cancelAction = z.object({
  action: z.literal('cancel'),
  sessionId: z.string().optional().catch(undefined),
});

export const MAX_TITLE_CHARS = 60;
export const MAX_CONVERSATIONS_PAGE = 50;
export const DEFAULT_CONVERSATIONS_PAGE = 20;

export const listConversationsAction = z.object({
  action: z.literal('list_conversations'),
  limit: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, MAX_CONVERSATIONS_PAGE) : DEFAULT_CONVERSATIONS_PAGE)),
});

export const renameConversationAction = z.object({
  action: z.literal('rename_conversation'),
  conversationId: sessionId("missing 'conversationId'"),
  title: z
    .string({ error: "missing or empty 'title'" })
    .trim()
    .min(1, { error: "missing or empty 'title'" })
    // Characters as a reader counts them (code points), not UTF-16 units.
    .refine((t) => [...t].length <= MAX_TITLE_CHARS, { error: `'title' exceeds ${MAX_TITLE_CHARS} characters` })
    .refine((t) => !/[\u0000-\u001f\u007f]/.test(t), { error: "'title' must not contain control characters" }),
});

export const submitInteractionAction = z.object({
  action: z.literal('submit_interaction'),
  requestId: z.string({ error: "submit_interaction requires a 'requestId'" }).min(1, { error: "submit_interaction requires a 'requestId'" }),
  sessionId: sessionId("submit_interaction requires a 'sessionId'"),
  interactionId: z
    .string({ error: "submit_interaction requires an 'interactionId'" })
    .min(1, { error: "submit_interaction requires an 'interactionId'" }),
  kind: z.string({ error: "'kind' must be a string" }).optional(),
  // The kind's validator judges the values; here only "an object" is checked.
  values: z.record(z.string(), z.unknown(), { error: "'values' must be an object" }).optional(),
  declined: z.boolean({ error: "'declined' must be a boolean" }).optional(),
});

export const verifyOtpAction = z.object({
  action: z.literal('verify_otp'),
  requestId: z.string({ error: "verify_otp requires a 'requestId'" }).min(1, { error: "verify_otp requires a 'requestId'" }),
  sessionId: sessionId("verify_otp requires a 'sessionId'"),
  code: z.string({ error: "verify_otp requires a string 'code'" }).max(64, { error: "'code' is too long" }),
});

/**
 * The project's protocol extension (docs/protocol.md, Handoff; schemas in src/protocol/schemas/):
 * the visitor's "Talk to a person" control, the follow-up address, and the operator console's
 * live subscription.
 */
export const requestHumanAction = z.object({
  action: z.literal('request_human'),
  sessionId: sessionId("request_human requires a 'sessionId'"),
  reason: z.string({ error: "'reason' must be a string" }).max(500, { error: "'reason' exceeds 500 characters" }).optional(),
});

export const leaveContactAction = z.object({
  action: z.literal('leave_contact'),
  sessionId: sessionId("leave_contact requires a 'sessionId'"),
  email: z
    .string({ error: "leave_contact requires an 'email'" })
    .trim()
    .max(254, { error: "'email' is too long" })
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: "'email' is not an email address" }),
});

export const operatorSubscribeAction = z.object({ action: z.literal('operator_subscribe') });

export const ACTION_SCHEMAS = {
  ping: pingAction,
  create_conversation_session: createSessionAction,
  get_session: getSessionAction,
  get_conversation_messages: getMessagesAction,
  send_message: sendMessageAction,
  confirm_tool_action: confirmToolAction,
  cancel: cancelAction,
  list_conversations: listConversationsAction,
  rename_conversation: renameConversationAction,
  submit_interaction: submitInteractionAction,
  verify_otp: verifyOtpAction,
  request_human: requestHumanAction,
  leave_contact: leaveContactAction,
  operator_subscribe: operatorSubscribeAction,
} as const;

export type ActionName = keyof typeof ACTION_SCHEMAS;
export type Action = { [K in ActionName]: z.output<(typeof ACTION_SCHEMAS)[K]> }[ActionName];
export type ActionOf<K extends ActionName> = z.output<(typeof ACTION_SCHEMAS)[K]>;

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTION_SCHEMAS, name);
}
