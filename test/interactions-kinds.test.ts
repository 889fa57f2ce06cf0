import { describe, expect, it } from 'vitest';
import { INTERACTION_KINDS, kindByName, kindByTool } from '../src/engine/interactions/index.js';
import { maskEmail } from '../src/otp/index.js';

const intake = kindByName('identity_intake')!;
const choices = kindByName('choices')!;

function spec(kind: typeof intake, args: Record<string, unknown>): object {
  const parsed = kind.parseSpec(args);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
}

describe('interaction kinds', () => {
  it('each kind has its own raise tool and capability', () => {
    expect(INTERACTION_KINDS.map((k) => [k.kind, k.capability, k.toolName])).toEqual([
      ['identity_intake', 'identity_form', 'request_identity_intake'],
      ['choices', 'choice_chips', 'request_choices'],
    ]);
    expect(kindByTool('request_choices')).toBe(choices);
    expect(kindByTool('knowledge_search')).toBeUndefined();
  });

  describe('identity_intake', () => {
    const all = spec(intake, { fields: [{ key: 'name', required: true }, { key: 'email', required: true }, { key: 'phone', required: true }] });

    it('rejects specs the model gets wrong', () => {
      expect(intake.parseSpec({ fields: [] }).ok).toBe(false);
      expect(intake.parseSpec({ fields: 'email' }).ok).toBe(false);
      expect(intake.parseSpec({ fields: [{ key: 'password', required: true }] }).ok).toBe(false);
      expect(intake.parseSpec({ fields: [{ key: 'email' }, { key: 'email' }] }).ok).toBe(false);
      // `required` defaults to false; unknown properties are dropped from the spec.
      expect(spec(intake, { fields: [{ key: 'email', extra: '<script>' }] })).toEqual({ fields: [{ key: 'email', required: false }] });
    });

    it.each([
      ['alice@example.com', true],
      ['a.b+tag@sub.example.co.uk', true],
      ['alice@localhost', false],
      ['alice@@example.com', false],
      ['alice example@example.com', false],
      ['"quoted"@example.com', false],
      ['alice@example.com\r\nBcc: victim@example.com', false],
      [`${'a'.repeat(250)}@example.com`, false],
    ])('email %j valid: %s', (email, ok) => {
      expect(intake.validate(all, { name: 'A', email, phone: '+14155550132' }).ok).toBe(ok);
    });

    it.each([
      ['+1 (415) 555-0132', '+14155550132'],
      ['0044 20 7946 0958', '+442079460958'],
      ['+49 30 901820', '+4930901820'],
    ])('phone %j normalizes to E.164 %s', (phone, e164) => {
      const result = intake.validate(all, { name: 'A', email: 'a@example.com', phone });
      expect(result).toEqual({ ok: true, values: { name: 'A', email: 'a@example.com', phone: e164 } });
    });

    it.each(['12', '555-0132', '+1 000', 'call me', '+'.padEnd(60, '1')])('phone %j is refused', (phone) => {
      const result = intake.validate(all, { name: 'A', email: 'a@example.com', phone });
      expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['phone']);
    });

    it('reports every failing field at once, including non-text values and fields never asked for', () => {
      const onlyEmail = spec(intake, { fields: [{ key: 'email', required: true }] });
      const result = intake.validate(onlyEmail, { email: ['a@b.co'], name: 'x', __proto__: 'y' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => e.field).sort()).toEqual(['email', 'name']);
      const control = intake.validate(all, { name: 'Al\u0000ice', email: 'a@example.com', phone: '+14155550132' });
      expect(control.ok ? [] : control.errors.map((e) => e.field)).toEqual(['name']);
    });

    it('optional blank fields are omitted, not stored empty', () => {
      const optional = spec(intake, { fields: [{ key: 'name', required: false }, { key: 'email', required: true }] });
      expect(intake.validate(optional, { name: '   ', email: ' a@example.com ' })).toEqual({ ok: true, values: { email: 'a@example.com' } });
    });
  });

  describe('choices', () => {
    const q = spec(choices, {
      questions: [
        { question: 'Plan?', header: 'Plan', options: [{ label: 'Basic' }, { label: 'Pro' }] },
        { question: 'Extras?', header: 'Extras', multiSelect: true, options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] },
      ],
    });

    it('rejects malformed question sets', () => {
      const one = (over: Record<string, unknown>) => ({ questions: [{ question: 'Q', header: 'H', options: [{ label: 'x' }, { label: 'y' }], ...over }] });
      expect(choices.parseSpec(one({})).ok).toBe(true);
      expect(choices.parseSpec(one({ header: 'much-too-long-header' })).ok).toBe(false);
      expect(choices.parseSpec(one({ options: [{ label: 'x' }] })).ok).toBe(false);
      expect(choices.parseSpec(one({ options: [{ label: 'x' }, { label: 'x' }] })).ok).toBe(false);
      expect(choices.parseSpec({ questions: Array.from({ length: 5 }, (_, i) => one({ header: `H${i}` }).questions[0]) }).ok).toBe(false);
      expect(choices.parseSpec({ questions: [one({}).questions[0], one({}).questions[0]] }).ok).toBe(false);
    });

    it('accepts a pick or a free-text answer per question; refuses unknown labels, double answers and missing questions', () => {
      expect(choices.validate(q, { answers: [{ header: 'Plan', options: ['Pro'] }, { header: 'Extras', options: ['C', 'A', 'C'] }] })).toEqual({
        ok: true,
        values: { answers: [{ header: 'Plan', options: ['Pro'] }, { header: 'Extras', options: ['C', 'A'] }] },
      });
      const fails = (values: Record<string, unknown>) => {
        const r = choices.validate(q, values);
        return r.ok ? [] : r.errors.map((e) => e.field).sort();
      };
      expect(fails({ answers: [{ header: 'Plan', options: ['Gold'] }, { header: 'Extras', other: 'none' }] })).toEqual(['Plan']);
      expect(fails({ answers: [{ header: 'Plan', options: ['Pro'], other: 'also this' }, { header: 'Extras', other: 'x' }] })).toEqual(['Plan']);
      expect(fails({ answers: [{ header: 'Plan', options: ['Pro'] }] })).toEqual(['Extras']);
      expect(fails({ answers: [{ header: 'Plan', options: ['Pro'] }, { header: 'Plan', options: ['Basic'] }, { header: 'Extras', other: 'x' }] })).toEqual(['Plan']);
      expect(fails({ answers: [{ header: 'Nope' }, { header: 'Plan', options: [1] }, { header: 'Extras', other: 'x' }] })).toEqual(['Nope', 'Plan']);
      expect(fails({ answers: {} })).toEqual(['answers']);
    });
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskEmail('x@y.io')).toBe('x***@y.io');
    expect(maskEmail('not-an-address')).toBe('***');
  });
});
