import { describe, expect, it } from 'vitest';
import type { BackplaneLogger } from './backplane-logger.js';
import { BusBackplane } from './bus-backplane.js';
import { encodeEnvelope } from './envelope.js';

type Line = { level: 'info' | 'warn' | 'debug'; message: string; details: object };

function recordingLogger(lines: Line[]): BackplaneLogger {
  return {
    info: (details, message) => lines.push({ level: 'info', details, message }),
    warn: (details, message) => lines.push({ level: 'warn', details, message }),
    debug: (details, message) => lines.push({ level: 'debug', details, message }),
  };
}

/** A bus that fails on demand and lets the test deliver payloads as if they came from it. */
class FakeBus extends BusBackplane {
  readonly sent: string[] = [];
  failWith: Error | undefined;

  constructor(lines: Line[]) {
    super(recordingLogger(lines), 'me');
  }

  protected async send(payload: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(payload);
  }

  protected async closeBus(): Promise<void> {}

  fromBus(payload: string): void {
    this.receive(payload);
  }
}

describe('BusBackplane', () => {
  it('delivers locally before sending, and a failed send is a warning, not an error', async () => {
    const lines: Line[] = [];
    const bus = new FakeBus(lines);
    const got: object[] = [];
    bus.attach('c1', (e) => got.push(e));
    bus.associate('c1', { type: 'session', id: 's1' });
    bus.failWith = new Error('connection is closed');
    await expect(bus.publish({ type: 'session', id: 's1' }, { n: 1 })).resolves.toBe(1);
    expect(got).toEqual([{ n: 1 }]);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', details: expect.objectContaining({ err: 'connection is closed' }) })]);
    bus.failWith = undefined;
    await bus.publish({ type: 'session', id: 's1' }, { n: 2 });
    expect(bus.sent.map((p) => JSON.parse(p) as unknown)).toEqual([{ origin: 'me', target: { Session: 's1' }, event: { n: 2 } }]);
  });

  it('drops its own envelopes and malformed ones (at debug), and survives a throwing sink', async () => {
    const lines: Line[] = [];
    const bus = new FakeBus(lines);
    const got: object[] = [];
    bus.attach('c1', (e) => got.push(e));
    bus.attach('c2', () => {
      throw new Error('sink broke');
    });
    bus.associate('c1', { type: 'org', id: 'o1' });
    bus.associate('c2', { type: 'org', id: 'o1' });
    bus.fromBus(encodeEnvelope({ origin: 'me', target: { type: 'org', id: 'o1' }, event: { n: 'echo' } }));
    bus.fromBus('garbage');
    bus.fromBus(encodeEnvelope({ origin: 'other', target: { type: 'connection', id: 'c1' }, event: { n: 1 } }));
    bus.fromBus(encodeEnvelope({ origin: 'other', target: { type: 'org', id: 'o1' }, event: { n: 2 } }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([{ n: 1 }, { n: 2 }]);
    expect(lines.map((l) => `${l.level}: ${l.message}`)).toEqual([
      'debug: backplane: ignored a malformed envelope',
      'warn: backplane: local delivery of a remote event failed',
    ]);
  });

  it('stops sending and receiving once closed, and closes once', async () => {
    const bus = new FakeBus([]);
    const got: object[] = [];
    bus.attach('c1', (e) => got.push(e));
    await bus.close();
    await bus.close();
    expect(await bus.publish({ type: 'connection', id: 'c1' }, { n: 1 })).toBe(0);
    bus.fromBus(encodeEnvelope({ origin: 'other', target: { type: 'connection', id: 'c1' }, event: { n: 2 } }));
    expect(bus.sent).toEqual([]);
    expect(got).toEqual([]);
  });
});
