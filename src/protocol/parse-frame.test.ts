import { describe, expect, it } from 'vitest';
import { parseFrame } from './parse-frame.js';

const parse = (value: unknown) => parseFrame(typeof value === 'string' ? value : JSON.stringify(value), false);

describe('parseFrame', () => {
  it('rejects binary frames and invalid JSON without a requestId', () => {
    expect(parseFrame(Buffer.from('{}'), true)).toMatchObject({
      ok: false,
      requestId: undefined,
      error: { code: 'VALIDATION_ERROR', message: 'binary frames are not supported; send JSON text frames' },
    });
    const bad = parse('{"action": ');
    expect(bad).toMatchObject({ ok: false, requestId: undefined, error: { code: 'VALIDATION_ERROR' } });
    expect(bad.ok === false && bad.error.message.startsWith('invalid JSON frame: ')).toBe(true);
  });

  it('reports a missing action with the echoed requestId, and treats non-string ids as absent', () => {
    expect(parse({ requestId: 'r1', message: 'x' })).toMatchObject({ ok: false, requestId: 'r1', error: { message: "missing 'action' field" } });
    expect(parse([1, 2])).toMatchObject({ ok: false, requestId: undefined, error: { code: 'VALIDATION_ERROR' } });
    expect(parse({ action: 'ping', requestId: 42 })).toMatchObject({ ok: true, requestId: undefined });
  });

  it('names unknown actions', () => {
    expect(parse({ action: 'fly', requestId: 'r' })).toMatchObject({
      ok: false,
      requestId: 'r',
      error: { code: 'UNSUPPORTED_ACTION', message: "action 'fly' is not supported by this server" },
    });
  });

  it('validates send_message in the reference order', () => {
    expect(parse({ action: 'send_message', sessionId: 's', message: 'hi' })).toMatchObject({
      error: { message: "send_message requires a 'requestId'" },
    });
    expect(parse({ action: 'send_message', requestId: 'r', message: 'hi' })).toMatchObject({ error: { message: "missing 'sessionId'" } });
    expect(parse({ action: 'send_message', requestId: 'r', sessionId: 's', message: '   ' })).toMatchObject({
      error: { message: "missing or empty 'message'" },
    });
    expect(parse({ action: 'send_message', requestId: 'r', sessionId: 's', message: 'x'.repeat(10_001) })).toMatchObject({
      error: { code: 'VALIDATION_ERROR' },
    });
    const ok = parse({ action: 'send_message', requestId: 'r', sessionId: 's', message: 'hi', model: '  ', stream: true });
    expect(ok).toMatchObject({ ok: true, action: { action: 'send_message', message: 'hi', model: undefined } });
  });

  it('requires a boolean approved on confirm_tool_action and clamps page sizes', () => {
    expect(parse({ action: 'confirm_tool_action', sessionId: 's', approved: 'yes' })).toMatchObject({
      error: { message: "confirm_tool_action requires a boolean 'approved'" },
    });
    expect(parse({ action: 'get_conversation_messages', sessionId: 's', limit: 1000 })).toMatchObject({ ok: true, action: { limit: 100 } });
    expect(parse({ action: 'get_conversation_messages', sessionId: 's', limit: -3 })).toMatchObject({ ok: true, action: { limit: 50 } });
  });
});

describe('optional fields', () => {
  it('accepts frames that omit every optional field', () => {
    expect(parse({ action: 'send_message', requestId: 'r', sessionId: 's', message: 'hi' })).toMatchObject({ ok: true });
    expect(parse({ action: 'get_conversation_messages', sessionId: 's' })).toMatchObject({ ok: true, action: { limit: 50 } });
    expect(parse({ action: 'create_conversation_session' })).toMatchObject({ ok: true });
    expect(parse({ action: 'cancel' })).toMatchObject({ ok: true });
  });
});
