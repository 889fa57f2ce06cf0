import { describe, expect, it } from 'vitest';
import { DeterministicEmbedder, fnv1a64 } from './deterministic-embedder.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const MASK = (1n << 64n) - 1n;

/** The reference algorithm transcribed literally with BigInt, as the oracle for the fast path. */
function referenceFnv(bytes: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK;
  return h;
}

function referenceEmbed(text: string, dim: number): number[] {
  const v = new Array<number>(dim).fill(0);
  for (const token of text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u)) {
    if (token === '') continue;
    const h = referenceFnv(utf8(token));
    v[Number(h % BigInt(dim))]! += (h & 1n) === 0n ? 1 : -1;
    v[Number((h >> 32n) % BigInt(dim))]! += (h & 2n) === 0n ? 1 : -1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return norm === 0 ? v : v.map((x) => x / norm);
}

const join = ({ hi, lo }: { hi: number; lo: number }): bigint => (BigInt(hi) << 32n) | BigInt(lo);

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64-bit test vectors', () => {
    expect(join(fnv1a64(''))).toBe(0xcbf29ce484222325n);
    expect(join(fnv1a64('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(join(fnv1a64('foobar'))).toBe(0x85944171f73967e8n);
  });

  it('agrees with a BigInt implementation on varied input', () => {
    const words = ['refund', 'Zürich', '東京', 'x'.repeat(300), '0', 'emoji😀', 'the', 'ß\u00a9\u07ff\u0800\uffff', 'lone\ud800'];
    for (const w of words) expect(join(fnv1a64(w))).toBe(referenceFnv(utf8(w)));
  });
});

describe('DeterministicEmbedder', () => {
  it('reproduces the reference vectors exactly in raw mode, at the default and odd widths', async () => {
    const text = 'Returns within 30 days — Zürich, Tokyo & the 2nd warehouse! RETURNS?';
    const [v1024] = await new DeterministicEmbedder().embed([text]);
    const expected = referenceEmbed(text, 1024);
    expect(v1024).toHaveLength(1024);
    v1024!.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));

    const odd = new DeterministicEmbedder({ dimensions: 1000 });
    const expectedOdd = referenceEmbed(text, 1000);
    odd.embedOne(text).forEach((x, i) => expect(x).toBeCloseTo(expectedOdd[i]!, 6));
  });

  it('names its space and is unit-length, with zero for text without tokens', () => {
    const raw = new DeterministicEmbedder();
    expect([raw.id, raw.dimensions]).toEqual(['deterministic-v1', 1024]);
    const v = raw.embedOne('hello world');
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(raw.embedOne(' -- !! ').every((x) => x === 0)).toBe(true);
  });

  it('in terms mode hashes the analysed terms, so stop words and word forms stop mattering', () => {
    const terms = new DeterministicEmbedder({ tokens: 'terms' });
    expect(terms.id).toBe('deterministic-v1:terms');
    expect(Array.from(terms.embedOne('What are the returns?'))).toEqual(Array.from(terms.embedOne('return')));
    expect(terms.embedOne('the of and').every((x) => x === 0)).toBe(true);
  });

  it('rejects nonsensical widths', () => {
    expect(() => new DeterministicEmbedder({ dimensions: 0 })).toThrow(RangeError);
    expect(() => new DeterministicEmbedder({ dimensions: 1.5 })).toThrow(RangeError);
  });
});
