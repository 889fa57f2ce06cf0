import { TextDecoder } from 'node:util';
import type { Extractor } from './extracted.js';

const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i;

/** The declared encoding when it is one the runtime knows, else UTF-8 (what nearly everything is today). */
function decoderFor(charset: string | undefined): TextDecoder {
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset);
    } catch {
      // An unknown label is the page's mistake; UTF-8 is the most likely truth.
    }
  }
  return new TextDecoder('utf-8');
}

export function decodeText(bytes: Uint8Array, charset?: string): string {
  return decoderFor(charset).decode(bytes).replace(/\r\n?/g, '\n');
}

/** HTML may name its encoding in a `<meta>` within the first bytes when no header did. */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  return META_CHARSET.exec(head)?.[1];
}

export const extractText: Extractor = async (bytes, { charset }) => ({ content: decodeText(bytes, charset).trim() });
