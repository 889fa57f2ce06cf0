import type { ErrorCode } from '../protocol/error-codes.js';

/**
 * Failures that happen on the client side, with no `error` event on the wire:
 * - `CONNECTION_FAILED`: `connect()` could not open a socket in time.
 * - `CONNECTION_LOST`: the socket closed while the request or turn was in flight. The server
 *   aborts a turn whose socket goes away, so such a turn will not finish; send it again.
 * - `TIMEOUT`: no answer within the request timeout.
 * - `CLOSED`: the client was closed by its owner.
 * - `CANCELLED`: the turn ended with a `cancelled` event (Stop).
 * - `NO_SESSION`: a session-scoped call with no session given and none current.
 * - `BAD_RESPONSE`: the server answered with a payload that does not have the protocol's shape.
 */
export type ClientErrorCode = 'CONNECTION_FAILED' | 'CONNECTION_LOST' | 'TIMEOUT' | 'CLOSED' | 'CANCELLED' | 'NO_SESSION' | 'BAD_RESPONSE';

export type SmoothAgentErrorCode = ErrorCode | ClientErrorCode | (string & {});

/** Codes after which sending the same request again may succeed. */
const RETRYABLE: ReadonlySet<string> = new Set([
  'CONNECTION_FAILED',
  'CONNECTION_LOST',
  'TIMEOUT',
  'RATE_LIMITED',
  'SHUTTING_DOWN',
  'AGENT_ERROR',
  'TURN_IN_PROGRESS',
]);

/** The one error type the SDK rejects with: a server `error` event or a client-side failure. */
export class SmoothAgentError extends Error {
  override readonly name = 'SmoothAgentError';
  readonly code: SmoothAgentErrorCode;
  /** The request this failure belongs to, when there was one. */
  readonly requestId: string | undefined;
  /** `server` when the code came from an `error` event; `client` otherwise. */
  readonly source: 'server' | 'client';

  constructor(code: SmoothAgentErrorCode, message: string, options: { requestId?: string; source?: 'server' | 'client' } = {}) {
    super(message);
    this.code = code;
    this.requestId = options.requestId;
    this.source = options.source ?? 'client';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

export function isSmoothAgentError(value: unknown, code?: SmoothAgentErrorCode): value is SmoothAgentError {
  return value instanceof SmoothAgentError && (code === undefined || value.code === code);
}
