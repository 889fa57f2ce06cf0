import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

// ws's frame parser (exported at runtime, not in its type declarations).
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): boolean };
};
import { encodeTextFrames } from './text-frames.js';

/** Decodes with ws's own client-side receiver, so the frames are checked against a real parser. */
function decode(buffer: Buffer): string[] {
  const receiver = new Receiver({ isServer: false });
  const messages: string[] = [];
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString('utf8'));
  });
  receiver.on('error', (err: Error) => {
    throw err;
  });
  receiver.write(buffer);
  return messages;
}

describe('encodeTextFrames', () => {
  it('encodes a batch that ws decodes back to the same messages, at every length class', () => {
    const payloads = [
      '',
      '{"type":"stream_token","token":"Than"}',
      'x'.repeat(125),
      'y'.repeat(126),
      'é😀'.repeat(40),
      'z'.repeat(65_535),
      'w'.repeat(65_536),
      JSON.stringify({ text: 'ünïcödé '.repeat(20_000) }),
    ];
    expect(decode(encodeTextFrames(payloads))).toEqual(payloads);
  });

  it('uses the shortest length field and no mask', () => {
    const frame = encodeTextFrames(['abc']);
    expect([...frame]).toEqual([0x81, 3, 0x61, 0x62, 0x63]);
    const medium = encodeTextFrames(['m'.repeat(300)]);
    expect([...medium.subarray(0, 4)]).toEqual([0x81, 126, 0x01, 0x2c]);
    expect(medium.length).toBe(304);
    const large = encodeTextFrames(['l'.repeat(70_000)]);
    expect([...large.subarray(0, 10)]).toEqual([0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70]);
  });
});
