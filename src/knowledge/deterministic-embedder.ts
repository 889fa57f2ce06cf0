import type { Embedder } from './embedder.js';
import { terms } from './text-analysis.js';

const DEFAULT_DIMENSIONS = 1024;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * FNV-1a-64 of the UTF-8 bytes of `text`, as two unsigned 32-bit halves. BigInt arithmetic and a
 * TextEncoder per token are each several times slower, and ingest hashes every token of every chunk.
 */
export function fnv1a64(text: string): { hi: number; lo: number } {
  // offset basis 0xcbf29ce484222325
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const feed = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    // × prime 0x100000001b3 = × 0x1b3 + (× 1 << 40); the shifted part only reaches the high half.
    const low = lo * 0x1b3;
    hi = (Math.imul(hi, 0x1b3) + Math.floor(low / TWO_POW_32) + (lo << 8)) >>> 0;
    lo = low >>> 0;
  };
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp < 0x80) {
      feed(cp);
    } else if (cp < 0x800) {
      feed(0xc0 | (cp >> 6));
      feed(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      // Lone surrogates encode as U+FFFD, as TextEncoder (and Rust's lossy conversion) would.
      const c = cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
      feed(0xe0 | (c >> 12));
      feed(0x80 | ((c >> 6) & 0x3f));
      feed(0x80 | (c & 0x3f));
    } else {
      feed(0xf0 | (cp >> 18));
      feed(0x80 | ((cp >> 12) & 0x3f));
      feed(0x80 | ((cp >> 6) & 0x3f));
      feed(0x80 | (cp & 0x3f));
    }
  }
  return { hi, lo };
}

export interface DeterministicEmbedderOptions {
  /** Default 1024, the reference's width. */
  dimensions?: number;
  /**
   * `raw` (default) hashes the text exactly as the reference server does, so vectors match its index.
   * `terms` hashes the keyword analyser's output (stop words dropped, stems) instead: a hashed bag of
   * words is otherwise dominated by "the" and "how", which costs the hybrid more than the arm adds.
   */
  tokens?: 'raw' | 'terms';
}

/**
 * The reference server's offline embedder: signed feature hashing of lowercase alphanumeric tokens.
 * It is not semantic (no synonyms), but it needs no network and is identical across runs and
 * implementations. The id names the tokenisation too, since the two modes' vectors are not comparable.
 */
export class DeterministicEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly analyse: boolean;
  // h % dim for a 64-bit h, computed from the halves as (hi·2³² + lo) mod dim.
  private readonly highWeight: number;

  constructor(options: DeterministicEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 1 << 24) {
      throw new RangeError(`embedding dimensions must be an integer in 1..${1 << 24}, got ${dimensions}`);
    }
    this.analyse = options.tokens === 'terms';
    this.id = this.analyse ? 'deterministic-v1:terms' : 'deterministic-v1';
    this.dimensions = dimensions;
    this.highWeight = TWO_POW_32 % dimensions;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): Float32Array {
    const dim = this.dimensions;
    const v = new Float32Array(dim);
    const tokens = this.analyse ? terms(text) : text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u);
    for (const token of tokens) {
      if (token === '') continue;
      const { hi, lo } = fnv1a64(token);
      const bucket = (((hi % dim) * this.highWeight) % dim + (lo % dim)) % dim;
      v[bucket]! += (lo & 1) === 0 ? 1 : -1;
      v[hi % dim]! += (lo & 2) === 0 ? 1 : -1;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < dim; i++) v[i]! *= inv;
    }
    return v;
  }
}
