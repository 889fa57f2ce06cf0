/**
 * Server-to-client WebSocket text frames (RFC 6455 §5.2: FIN, opcode 1, unmasked) for a batch of
 * JSON strings, encoded into one buffer. A streamed turn writes a frame per token as each arrives;
 * handing ws one frame at a time costs a header buffer, a corked write of two chunks and a writev
 * of 2×N pieces per batch, where this is one allocation and one plain write.
 */
export function encodeTextFrames(payloads: readonly string[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(payloads.length);
  for (let i = 0; i < payloads.length; i++) {
    const length = Buffer.byteLength(payloads[i]!, 'utf8');
    lengths[i] = length;
    total += headerLength(length) + length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < payloads.length; i++) {
    const length = lengths[i]!;
    out[at++] = 0x81;
    if (length < 126) {
      out[at++] = length;
    } else if (length < 65536) {
      out[at++] = 126;
      out.writeUInt16BE(length, at);
      at += 2;
    } else {
      out[at++] = 127;
      // 2^53 is far beyond any frame maxPayload admits; the high word is what is left above 2^32.
      out.writeUInt32BE(Math.floor(length / 0x1_0000_0000), at);
      out.writeUInt32BE(length >>> 0, at + 4);
      at += 8;
    }
    at += out.write(payloads[i]!, at, length, 'utf8');
  }
  return out;
}

function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
}
