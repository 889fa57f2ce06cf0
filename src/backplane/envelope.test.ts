import { describe, expect, it } from 'vitest';
import { scopedTarget } from './backplane.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';

describe('backplane envelope', () => {
  it("writes the reference server's externally tagged shape", () => {
    expect(JSON.parse(encodeEnvelope({ origin: 'pod-1', target: { type: 'session', id: 's1' }, event: { type: 'notice' } }))).toEqual({
      origin: 'pod-1',
      target: { Session: 's1' },
      event: { type: 'notice' },
    });
    const tags = (['connection', 'session', 'user', 'org', 'agent'] as const).map(
      (type) => Object.keys((JSON.parse(encodeEnvelope({ origin: 'o', target: { type, id: 'x' }, event: {} })) as { target: object }).target)[0],
    );
    expect(tags).toEqual(['Connection', 'Session', 'User', 'Org', 'Agent']);
  });

  it('round-trips org-scoped ids as opaque strings', () => {
    const target = scopedTarget('org-1', { type: 'user', id: 'alice' });
    const decoded = decodeEnvelope(encodeEnvelope({ origin: 'o', target, event: { n: 1 } }));
    expect(decoded).toEqual({ ok: true, envelope: { origin: 'o', target, event: { n: 1 } } });
  });

  it('says why a payload is refused instead of throwing', () => {
    const reasons = [
      '{',
      'null',
      '{"target":{"Session":"s"},"event":{}}',
      '{"origin":"o","target":{"Session":""},"event":{}}',
      '{"origin":"o","target":"Session","event":{}}',
      '{"origin":"o","target":{"Session":"s"},"event":"text"}',
    ].map((payload) => {
      const decoded = decodeEnvelope(payload);
      return decoded.ok ? 'accepted' : decoded.reason;
    });
    expect(reasons).toEqual([
      'not JSON',
      'not a JSON object',
      'origin is not a non-empty string',
      expect.stringContaining('target is not'),
      expect.stringContaining('target is not'),
      'event is not a JSON object',
    ]);
  });
});
