import { describe, expect, it } from 'vitest';
import { describeAction } from '../src/engine/action-description.js';
import { isOpen, parseBusinessHours } from '../src/handoff/business-hours.js';
import { canMove } from '../src/handoff/types.js';
import { loadConfig } from '../src/config/index.js';

describe('approval wording (actionDescription)', () => {
  const refund = { name: 'refund_order', confirmation: 'Refund order {{orderId}} ({{amount}})' };

  it('fills a confirmation template from the arguments', () => {
    expect(describeAction(refund, 'refund_order', '{"orderId":"A-1001","amount":"25 EUR"}')).toBe('Refund order A-1001 (25 EUR)');
    expect(describeAction(refund, 'refund_order', '{"orderId":"A-1001"}')).toBe('Refund order A-1001 (—)');
    expect(describeAction(refund, 'refund_order', '{"orderId":"A-1001","amount":{"value":25,"currency":"EUR"}}')).toBe(
      'Refund order A-1001 ({"value":25,"currency":"EUR"})',
    );
  });

  it('without a template, names the action and every argument in words', () => {
    expect(describeAction(undefined, 'refund_order', '{"orderId":"A-1001","amount":25}')).toBe('Refund order: order id A-1001, amount 25');
    expect(describeAction({ name: 'deleteContact' }, 'deleteContact', '{"contact_name":"John Doe","email":"john@example.com"}')).toBe(
      'Delete contact: contact name John Doe, email john@example.com',
    );
    expect(describeAction(undefined, 'ping_service', '')).toBe('Ping service');
  });

  it('survives what a model really produces: broken JSON, arrays, huge and multi-line values', () => {
    expect(describeAction(refund, 'refund_order', '{"orderId": "A-1')).toBe('Refund order (arguments: {"orderId": "A-1)');
    expect(describeAction(undefined, 'tag', '["a","b"]')).toBe('Tag (arguments: ["a","b"])');
    const long = describeAction(undefined, 'note', JSON.stringify({ text: 'x'.repeat(5000) }));
    expect(long.length).toBeLessThanOrEqual(500);
    expect(describeAction(undefined, 'note', JSON.stringify({ text: 'line one\n\nline two' }))).toBe('Note: text line one line two');
    // A template cannot be made to print other arguments or code: only {{name}} placeholders are filled.
    expect(describeAction({ name: 't', confirmation: 'Do {{a}} {{ b }} {{c.d}} {a}' }, 't', '{"a":"<b>1</b>","b":2}')).toBe('Do <b>1</b> 2 — {a}');
  });
});

describe('business hours', () => {
  const hours = parseBusinessHours('mon-fri 09:00-17:00; sat 10:00-14:00', 'Europe/Berlin');

  it('opens and closes in the configured time zone', () => {
    // Tuesday 2026-12-01 08:30 UTC is 09:30 in Berlin (CET, UTC+1).
    expect(isOpen(hours, new Date('2026-12-01T08:30:00Z'))).toBe(true);
    expect(isOpen(hours, new Date('2026-12-01T07:30:00Z'))).toBe(false);
    expect(isOpen(hours, new Date('2026-12-01T16:00:00Z'))).toBe(false);
    expect(isOpen(hours, new Date('2026-12-05T09:30:00Z'))).toBe(true);
    expect(isOpen(hours, new Date('2026-12-06T10:30:00Z'))).toBe(false);
    // Summer time: 2026-07-07 07:30 UTC is 09:30 in Berlin (CEST, UTC+2).
    expect(isOpen(hours, new Date('2026-07-07T07:30:00Z'))).toBe(true);
  });

  it('wraps day ranges over the weekend and rejects nonsense at boot', () => {
    const weekend = parseBusinessHours('fri-mon 00:00-24:00', 'UTC');
    expect(isOpen(weekend, new Date('2026-12-06T12:00:00Z'))).toBe(true);
    expect(isOpen(weekend, new Date('2026-12-02T12:00:00Z'))).toBe(false);
    expect(() => parseBusinessHours('mon-fri 9-17', 'UTC')).toThrow(/HH:MM/);
    expect(() => parseBusinessHours('mon-fri 18:00-09:00', 'UTC')).toThrow(/ends before it starts/);
    expect(() => parseBusinessHours('funday 09:00-10:00', 'UTC')).toThrow(/not a day/);
    expect(() => parseBusinessHours('mon 09:00-10:00', 'Mars/Olympus')).toThrow(/time zone/);
    expect(() => loadConfig({ SMOOTH_AGENT_HANDOFF_HOURS: 'mon 25:00-26:00' })).toThrow(/SMOOTH_AGENT_HANDOFF_HOURS/);
    expect(() => loadConfig({ SMOOTH_AGENT_HANDOFF_SUMMARY: 'poem' })).toThrow(/SMOOTH_AGENT_HANDOFF_SUMMARY/);
    expect(loadConfig({ SMOOTH_AGENT_HANDOFF_HOURS: 'mon 09:00-10:00', SMOOTH_AGENT_HANDOFF_TIMEZONE: 'Asia/Tokyo' }).handoff.hours?.timeZone).toBe('Asia/Tokyo');
  });
});

describe('handoff transitions', () => {
  it('allows the documented moves only', () => {
    expect(canMove('bot', 'waiting')).toBe(true);
    expect(canMove('waiting', 'human')).toBe(true);
    expect(canMove('human', 'bot')).toBe(true);
    expect(canMove('human', 'closed')).toBe(true);
    expect(canMove('bot', 'bot')).toBe(false);
    expect(canMove('waiting', 'waiting')).toBe(false);
  });
});
