import { createHmac, timingSafeEqual } from 'node:crypto';

/** A signature older or newer than this (in seconds) is refused: replay protection with clock slack. */
export const AUTH_CONTEXT_MAX_SKEW_SECS = 60;

/** The widget host's signed claim about its visitor, as sent in `create_conversation_session.authContext`. */
export interface AuthContext {
  userId: string;
  /** Lowercase or uppercase hex of HMAC-SHA256(publicKey, "{userId}:{timestamp}"). */
  signature: string;
  /** Unix seconds at signing. */
  timestamp: number;
}

function mac(publicKey: string, userId: string, timestamp: number): Buffer {
  return createHmac('sha256', Buffer.from(publicKey, 'utf8')).update(`${userId}:${timestamp}`, 'utf8').digest();
}

/** What a widget host's backend computes; exported so hosts and tests sign exactly as we verify. */
export function signAuthContext(publicKey: string, userId: string, timestamp: number): AuthContext {
  return { userId, timestamp, signature: mac(publicKey, userId, timestamp).toString('hex') };
}

function asAuthContext(value: unknown): AuthContext | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { userId, signature, timestamp } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof signature !== 'string') return undefined;
  // JSON integer seconds only: 1.5 or "1700000000" are not timestamps the signer could have meant.
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) return undefined;
  return { userId, signature, timestamp };
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * True when `value` is a well-formed authContext signed with `publicKey` within ±60 s of `nowSecs`.
 * The shape is checked here rather than in the frame schema because the reference only looks at
 * authContext after the policy and origin checks — a malformed one is AUTH_CONTEXT_INVALID, not a
 * VALIDATION_ERROR, and is ignored entirely for an agent without a policy.
 */
export function verifyAuthContext(value: unknown, publicKey: string | undefined, nowSecs: number): boolean {
  if (!publicKey) return false;
  const context = asAuthContext(value);
  if (!context) return false;
  if (Math.abs(nowSecs - context.timestamp) > AUTH_CONTEXT_MAX_SKEW_SECS) return false;
  if (!HEX.test(context.signature)) return false;
  const given = Buffer.from(context.signature, 'hex');
  const expected = mac(publicKey, context.userId, context.timestamp);
  // The length is public (always 32 bytes); only the bytes need a constant-time comparison.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
