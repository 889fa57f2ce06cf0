import { ACTION_SCHEMAS, isActionName, type Action } from './actions.js';
import type { ErrorBody } from './events.js';

export type ParsedFrame =
  | { ok: true; requestId: string | undefined; action: Action }
  | { ok: false; requestId: string | undefined; error: ErrorBody };

function fail(requestId: string | undefined, code: ErrorBody['code'], message: string): ParsedFrame {
  return { ok: false, requestId, error: { code, message } };
}

/** Turns one inbound WebSocket message into a typed action or a protocol error. Never throws. */
export function parseFrame(raw: string | Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary) {
    return fail(undefined, 'VALIDATION_ERROR', 'binary frames are not supported; send JSON text frames');
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    return fail(undefined, 'VALIDATION_ERROR', `invalid JSON frame: ${(err as Error).message}`);
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  // Only string values count; anything else is treated as absent, never echoed back.
  const requestId = typeof record.requestId === 'string' ? record.requestId : undefined;
  const actionName = record.action;
  if (typeof actionName !== 'string') return fail(requestId, 'VALIDATION_ERROR', "missing 'action' field");
  if (!isActionName(actionName)) {
    return fail(requestId, 'UNSUPPORTED_ACTION', `action '${actionName.slice(0, 100)}' is not supported by this server`);
  }
  const result = ACTION_SCHEMAS[actionName].safeParse(record);
  if (!result.success) {
    const first = result.error.issues[0];
    return fail(requestId, 'VALIDATION_ERROR', first?.message ?? 'invalid frame');
  }
  return { ok: true, requestId, action: result.data as Action };
}
