import { afterAll, describe, expect, it } from 'vitest';
import { instantiateDenseKernel, sharedMemory } from './dense-kernel.js';
import { DenseScanWorker } from './dense-scan-worker.js';
import { VectorIndex } from './vector-index.js';
import { seeded } from '../../test/support/seeded-random.js';

function noise(random: () => number, dims: number): Float32Array {
  return Float32Array.from({ length: dims }, () => random() * 2 - 1);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! ** 2;
    nb += b[j]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** The `n` best of `vectors` by cosine, computed the slow obvious way. */
function bruteForce(vectors: Map<number, Float32Array>, query: Float32Array, n: number): Array<{ item: number; score: number }> {
  return [...vectors]
    .map(([item, v]) => ({ item, score: cosine(query, v) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.item - b.item)
    .slice(0, n);
}

const workers: DenseScanWorker[] = [];
function newWorker(source?: string): DenseScanWorker {
  const worker = new DenseScanWorker(source);
  workers.push(worker);
  return worker;
}
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

describe('dense kernel (wasm)', () => {
  it('computes Hamming distances of admissible rows and refuses the others before counting', () => {
    const memory = sharedMemory();
    memory.grow(4);
    const kernel = instantiateDenseKernel(memory);
    const random = seeded(3);
    const rows = 300;
    const words = 3;
    const [codes, groups, allowed, query, out, histogram] = [1024, 16384, 20480, 20608, 20736, 24576];
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < rows * words * 8; i++) bytes[codes + i] = Math.floor(random() * 256);
    for (let i = 0; i < words * 8; i++) bytes[query + i] = Math.floor(random() * 256);
    // Groups: removed (-1), beyond the allowed array (7), refused (1), allowed (0 and 2).
    const group = new Int32Array(memory.buffer, groups, rows);
    for (let r = 0; r < rows; r++) group[r] = [-1, 7, 1, 0, 2][r % 5]!;
    bytes.set([1, 0, 1], allowed);
    kernel.hamming(codes, groups, allowed, 3, query, rows, words, out, histogram);

    const distances = new Uint16Array(memory.buffer, out, rows);
    const counted = new Uint32Array(memory.buffer, histogram, words * 64 + 1);
    const expectedHistogram = new Uint32Array(words * 64 + 1);
    for (let r = 0; r < rows; r++) {
      if (r % 5 < 3) {
        expect(distances[r]).toBe(0xffff);
        continue;
      }
      let d = 0;
      for (let i = 0; i < words * 8; i++) {
        let x = bytes[codes + r * words * 8 + i]! ^ bytes[query + i]!;
        for (; x; x >>= 1) d += x & 1;
      }
      expect(distances[r]).toBe(d);
      expectedHistogram[d]!++;
    }
    expect([...counted]).toEqual([...expectedHistogram]);
  });

  it('computes dot products of 16-float blocks', () => {
    const memory = sharedMemory();
    const kernel = instantiateDenseKernel(memory);
    const random = seeded(5);
    const a = new Float32Array(memory.buffer, 0, 48);
    const b = new Float32Array(memory.buffer, 256, 48);
    for (let i = 0; i < 48; i++) [a[i], b[i]] = [random() - 0.5, random() - 0.5];
    let expected = 0;
    for (let i = 0; i < 48; i++) expected += a[i]! * b[i]!;
    expect(kernel.dot(0, 256, 3)).toBeCloseTo(expected, 5);
    expect(kernel.dot(0, 256, 0)).toBe(0);
  });

  it('computes int8 dot products of 16-value blocks, extremes included', () => {
    const memory = sharedMemory();
    const kernel = instantiateDenseKernel(memory);
    const random = seeded(6);
    const a = new Int8Array(memory.buffer, 0, 64);
    const b = new Int8Array(memory.buffer, 128, 64);
    for (let i = 0; i < 64; i++) [a[i], b[i]] = [Math.round(random() * 254 - 127), Math.round(random() * 254 - 127)];
    a.fill(-128, 0, 8);
    b.fill(-128, 0, 8);
    let expected = 0;
    for (let i = 0; i < 64; i++) expected += a[i]! * b[i]!;
    expect(kernel.dot8(0, 128, 4)).toBe(expected);
    expect(kernel.dot8(0, 128, 0)).toBe(0);
  });
});

describe('VectorIndex dense scan', () => {
  const dims = 1024;

  it('is exact below the approximate threshold, synchronously and in the worker', async () => {
    const random = seeded(11);
    const worker = newWorker();
    const index = new VectorIndex<number>(dims, { offThreadFrom: 0, worker });
    const vectors = new Map<number, Float32Array>();
    for (let i = 0; i < 1500; i++) {
      vectors.set(i, noise(random, dims));
      index.add(i, 0, vectors.get(i)!);
    }
    const everyone = Uint8Array.of(1);
    for (let q = 0; q < 5; q++) {
      const query = noise(random, dims);
      const expected = bruteForce(vectors, query, 10);
      for (const got of [index.search(query, 10, everyone), await index.searchAsync(query, 10, everyone)]) {
        expect(got.map((r) => r.item)).toEqual(expected.map((r) => r.item));
        got.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 5));
      }
    }
    expect(worker.answered).toEqual({ worker: 5, fallback: 0 });
  });

  it('keeps recall@10 >= 0.95 against the exact scan on uniform noise at the default threshold', async () => {
    const random = seeded(12);
    const index = new VectorIndex<number>(dims, { offThreadFrom: 0, worker: newWorker() });
    // 20k is where the default scan turns approximate; noise is its hardest case (no clusters).
    for (let i = 0; i < 20_000; i++) index.add(i, 0, noise(random, dims));
    const everyone = Uint8Array.of(1);
    let found = 0;
    let wanted = 0;
    for (let q = 0; q < 30; q++) {
      const query = noise(random, dims);
      const exact = new Set(index.search(query, 10, everyone, true).map((r) => r.item));
      const approximate = await index.searchAsync(query, 10, everyone);
      found += approximate.filter((r) => exact.has(r.item)).length;
      wanted += exact.size;
    }
    expect(wanted).toBe(300);
    expect(found / wanted).toBeGreaterThanOrEqual(0.95);
  });

  it('lets refused, removed and out-of-range groups neither appear nor displace anything', async () => {
    const random = seeded(13);
    const query = noise(random, dims);
    const index = new VectorIndex<string>(dims, { approximateFrom: 500, offThreadFrom: 0, worker: newWorker() });
    const visible = new Map<number, Float32Array>();
    for (let i = 0; i < 2000; i++) {
      const v = noise(random, dims);
      index.add(`v${i}`, i % 2, v);
      if (i % 2 === 0) visible.set(i, v);
    }
    // Exact copies of the query: the best possible matches, in a refused group, a group beyond the
    // allowed array, and one removed.
    index.add('refused', 1, query);
    index.add('unknown-group', 9, query);
    index.add('removed', 0, query);
    index.remove('removed');
    const allowed = Uint8Array.of(1, 0);
    const expected = bruteForce(visible, query, 10).map((r) => `v${r.item}`);
    const sync = index.search(query, 10, allowed).map((r) => r.item);
    const offThread = (await index.searchAsync(query, 10, allowed)).map((r) => r.item);
    for (const got of [sync, offThread]) {
      expect(got.filter((item) => !item.startsWith('v') || Number(item.slice(1)) % 2 !== 0)).toEqual([]);
      expect(got.filter((item) => expected.includes(item)).length).toBeGreaterThanOrEqual(9);
    }
    expect(index.search(query, 10, allowed, true).map((r) => r.item)).toEqual(expected);
  });

  it('searches the same after heavy removal (compaction) as an index of the survivors', async () => {
    const random = seeded(14);
    const churned = new VectorIndex<number>(dims, { approximateFrom: 800, offThreadFrom: 0, worker: newWorker() });
    const fresh = new VectorIndex<number>(dims, { approximateFrom: 800, offThreadFrom: Infinity });
    const vectors = Array.from({ length: 3000 }, () => noise(random, dims));
    vectors.forEach((v, i) => churned.add(i, 0, v));
    vectors.forEach((_, i) => i % 3 !== 0 && churned.remove(i));
    vectors.forEach((v, i) => i % 3 === 0 && fresh.add(i, 0, v));
    expect(churned.size).toBe(1000);
    const everyone = Uint8Array.of(1);
    for (let q = 0; q < 5; q++) {
      const query = noise(random, dims);
      const expected = fresh.search(query, 10, everyone);
      expect(expected.length).toBe(10);
      for (const got of [churned.search(query, 10, everyone), await churned.searchAsync(query, 10, everyone)]) {
        expect(got.map((r) => r.item)).toEqual(expected.map((r) => r.item));
        got.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 6));
      }
    }
    expect(churned.vectors().size).toBe(1000);
    expect(cosine(churned.vectors().get(3)!, vectors[3]!)).toBeCloseTo(1, 5);
  });

  it('answers from the calling thread when the worker fails, and drops items removed meanwhile', async () => {
    const random = seeded(15);
    const broken = newWorker(`throw new Error('no worker here');`);
    const index = new VectorIndex<number>(dims, { approximateFrom: 500, offThreadFrom: 0, worker: broken });
    for (let i = 0; i < 1000; i++) index.add(i, 0, noise(random, dims));
    const everyone = Uint8Array.of(1);
    const query = noise(random, dims);
    const expected = index.search(query, 10, everyone);
    // The first request is posted before the worker's failure is known: it is answered by the fallback.
    const pending = index.searchAsync(query, 10, everyone);
    index.remove(expected[0]!.item);
    const got = await pending;
    expect(got.map((r) => r.item)).not.toContain(expected[0]!.item);
    expect(got.map((r) => r.item)).toEqual(index.search(query, 10, everyone).map((r) => r.item));
    expect(broken.available).toBe(false);
    expect(await index.searchAsync(query, 10, everyone)).toEqual(index.search(query, 10, everyone));
    // Later searches skip the broken worker altogether.
    expect(broken.answered).toEqual({ worker: 0, fallback: 1 });
  });
});
