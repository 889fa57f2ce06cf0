import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './fusion.js';
import { KeywordIndex } from './keyword-index.js';
import { TopK } from './top-k.js';
import { VectorIndex } from './vector-index.js';
import { seeded } from '../../test/support/seeded-random.js';

const everyone = (): Uint8Array => new Uint8Array(1 << 16).fill(1);

/** Deterministic pseudo-random numbers, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

function termFreqOf(words: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
  return tf;
}

describe('TopK', () => {
  it('keeps the k best, best first, ties in arrival order', () => {
    const top = new TopK<string>(3);
    for (const [item, score] of [['a', 1], ['b', 5], ['c', 5], ['d', 0.5], ['e', 5], ['f', 2]] as const) top.push(item, score);
    expect(top.sorted()).toEqual([
      { item: 'b', score: 5 },
      { item: 'c', score: 5 },
      { item: 'e', score: 5 },
    ]);
    const none = new TopK<string>(0);
    none.push('x', 1);
    expect(none.sorted()).toEqual([]);
  });
});

describe('reciprocalRankFusion', () => {
  it('sums 1/(60 + rank) across lists, ties by first appearance', () => {
    const fused = reciprocalRankFusion([
      [
        { item: 'a', score: 9 },
        { item: 'b', score: 3 },
      ],
      [
        { item: 'b', score: 0.9 },
        { item: 'c', score: 0.8 },
      ],
    ]);
    expect(fused.map((f) => f.item)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 61, 12);
  });
});

/** Searches with the statistics of the allowed partition only, as the stores do. */
function search<T>(index: KeywordIndex<T>, query: string[], n: number, allowed: Uint8Array) {
  return index.search(new Map(query.map((t) => [t, 1])), n, allowed, {
    count: index.size,
    averageLength: 10,
    documentFrequency: (t) => index.documentFrequency(t, allowed),
  });
}

describe('KeywordIndex', () => {
  it('scores the same after heavy removal (compaction) as an index built from the survivors', () => {
    const random = lcg(7);
    const vocabulary = Array.from({ length: 400 }, (_, i) => `t${i}`);
    const docs = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      words: Array.from({ length: 5 + Math.floor(random() * 30) }, () => vocabulary[Math.floor(vocabulary.length * random() ** 2)]!),
    }));
    const churned = new KeywordIndex<number>();
    for (const d of docs) churned.add(d.id, d.id, termFreqOf(d.words), d.words.length);
    const survivors = docs.filter((d) => d.id % 6 === 0);
    for (const d of docs) if (d.id % 6 !== 0) churned.remove(d.id);
    const fresh = new KeywordIndex<number>();
    for (const d of survivors) fresh.add(d.id, d.id, termFreqOf(d.words), d.words.length);

    expect(churned.size).toBe(survivors.length);
    for (const query of [['t0'], ['t1', 't7', 't99'], ['t350', 't3']]) {
      const a = search(churned, query, 15, everyone());
      const b = search(fresh, query, 15, everyone());
      expect(a.map((r) => r.item)).toEqual(b.map((r) => r.item));
      a.forEach((r, i) => expect(r.score).toBeCloseTo(b[i]!.score, 9));
    }
  });

  it('never scores what the filter refuses, and re-adding replaces', () => {
    const index = new KeywordIndex<string>();
    index.add('secret', 0, termFreqOf(['apple', 'apple', 'apple']), 3);
    index.add('open', 1, termFreqOf(['apple', 'pear']), 2);
    const filter = Uint8Array.of(0, 1);
    expect(search(index, ['apple'], 5, filter).map((r) => r.item)).toEqual(['open']);
    index.add('open', 1, termFreqOf(['plum']), 1);
    expect(search(index, ['apple'], 5, filter)).toEqual([]);
    expect(search(index, ['plum'], 5, filter).map((r) => r.item)).toEqual(['open']);
  });
});

describe('VectorIndex', () => {
  const dims = 64;
  function randomVector(random: () => number, fill: number): Float32Array {
    return Float32Array.from({ length: dims }, () => (random() < fill ? random() * 2 - 1 : 0));
  }

  it('ranks sparse and dense vectors together by cosine, also after compaction', () => {
    const random = lcg(11);
    const vectors = Array.from({ length: 3000 }, (_, i) => randomVector(random, i % 2 === 0 ? 0.1 : 0.9));
    const churned = new VectorIndex<number>(dims);
    vectors.forEach((v, i) => churned.add(i, i, v));
    vectors.forEach((_, i) => i % 5 !== 0 && churned.remove(i));
    const survivors = vectors.map((v, i) => ({ v, i })).filter(({ i }) => i % 5 === 0);

    const query = randomVector(random, 0.5);
    const cosine = (a: Float32Array, b: Float32Array): number => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let j = 0; j < dims; j++) {
        dot += a[j]! * b[j]!;
        na += a[j]! ** 2;
        nb += b[j]! ** 2;
      }
      return dot / Math.sqrt(na * nb);
    };
    const expected = survivors
      .map(({ v, i }) => ({ item: i, score: cosine(query, v) }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    const got = churned.search(query, 10, everyone());
    expect(got.map((r) => r.item)).toEqual(expected.map((r) => r.item));
    got.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 5));

    const stored = churned.vectors();
    expect(stored.size).toBe(survivors.length);
    const first = survivors[1]!;
    expect(cosine(stored.get(first.i)!, first.v)).toBeCloseTo(1, 5);
  });

  it('skips zero vectors and refused groups, and keeps only positive similarity', () => {
    const index = new VectorIndex<string>(4);
    index.add('zero', 0, new Float32Array(4));
    index.add('same', 0, Float32Array.of(1, 0, 0, 0));
    index.add('opposite', 0, Float32Array.of(-1, 0, 0, 0));
    index.add('hidden', 1, Float32Array.of(2, 0, 0, 0));
    expect(index.size).toBe(3);
    const hits = index.search(Float32Array.of(3, 0, 0, 0), 10, Uint8Array.of(1, 0));
    expect(hits).toEqual([{ item: 'same', score: 1 }]);
    expect(() => index.add('wrong', 0, new Float32Array(3))).toThrow(/3 dims/);
  });
});

describe('VectorIndex approximate scan (binary codes, exact rescoring)', () => {
  it('finds what the exact scan finds on clustered embeddings, and never what the filter refuses', () => {
    const random = seeded(7);
    const dims = 256;
    const centers = Array.from({ length: 40 }, () => Float32Array.from({ length: dims }, () => random() * 2 - 1));
    const sample = () => {
      const c = centers[Math.floor(random() * centers.length)]!;
      return Float32Array.from(c, (x) => x + (random() * 2 - 1) * 0.8);
    };
    const index = new VectorIndex<number>(dims, { approximateFrom: 100 });
    const count = 3000;
    for (let i = 0; i < count; i++) index.add(i, i % 10, sample());
    const everyone = new Uint8Array(10).fill(1);
    let found = 0;
    let wanted = 0;
    for (let q = 0; q < 50; q++) {
      const query = sample();
      const exact = new Set(index.search(query, 10, everyone, true).map((r) => r.item));
      const approximate = index.search(query, 10, everyone);
      found += approximate.filter((r) => exact.has(r.item)).length;
      wanted += exact.size;
      const onlyOdd = Uint8Array.from({ length: 10 }, (_, g) => g % 2);
      for (const r of index.search(query, 10, onlyOdd)) expect(r.item % 2).toBe(1);
    }
    expect(found / wanted).toBeGreaterThanOrEqual(0.95);
  });
});

