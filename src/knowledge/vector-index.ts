import { scanDense, type DenseScanRequest, type DenseScanResult } from './dense-scan.js';
import { denseScanWorker, type DenseScanWorker } from './dense-scan-worker.js';
import { DenseSlab } from './dense-slab.js';
import { TopK, type Ranked } from './top-k.js';

/** A vector filling at most this share of its dimensions is stored sparse. */
const SPARSE_MAX_FILL = 1 / 3;
const SPARSE = -1;

/** The stored entries of one dimension: which slots are non-zero there, and by how much. */
interface DimensionPosting {
  slots: Int32Array;
  values: Float32Array;
  used: number;
}

/**
 * Cosine search. Vectors are normalised on the way in, so a query costs dot products, and are kept in
 * whichever layout makes those cheap:
 *
 * - sparse vectors (the offline hashing embedder fills a few hundred of 1024 dimensions) go into an
 *   inverted index by dimension, so a query only visits the postings of its own non-zero dimensions:
 *   a few thousand entries at 100k chunks instead of every stored value;
 * - dense vectors (model embeddings) go into a `DenseSlab` (shared WebAssembly memory), scanned by a
 *   small wasm kernel (`dense-kernel.ts`). Up to `approximateFrom` of them (20k by default) every
 *   admissible vector is scored exactly (SIMD dot products). Beyond that, the scan ranks every
 *   admissible vector by the Hamming distance between one-bit-per-dimension sign codes (binary
 *   quantisation, 1/32 of the vector's size; 16 `i64.popcnt` for 1024 dimensions instead of 1024
 *   multiply-adds), then rescores only the closest candidates exactly (`OVERSAMPLE`× the results asked for, and at
 *   least `RESCORED_PER_ROOT`·√n of the n admissible vectors). It is a full scan,
 *   not a graph walk, so items outside `allowed` are refused before any distance is computed and never
 *   steer which admissible items are found. bench/retrieval measures recall against the exact scan.
 *
 * `searchAsync` runs the dense scan of `offThreadFrom` or more vectors in a worker thread
 * (`dense-scan-worker.ts`) over the same memory, so it does not hold the event loop; if the worker is
 * unavailable it scans on the calling thread instead. `search` always scans on the calling thread.
 *
 * Removal tombstones a slot; once tombstones outnumber live items the storage is rewritten without them.
 */
/** Candidates rescored exactly per requested result in the approximate scan, and at least this many. */
const OVERSAMPLE = 48;
const MIN_RESCORED = 256;
/**
 * And at least this many × √(admissible vectors). Sign codes separate clustered embeddings well
 * (recall 1.0 with a few hundred candidates), but on featureless noise a query's true neighbours are
 * only slightly closer in Hamming distance than the rest: at 100k noise vectors 480 candidates found
 * 69% of the exact top 10, 2,000 found 91%, 5,000 found 97%; at 20k, 2,000 found 96%. The candidates
 * needed grow about as the square root of the vectors, so 16√n keeps noise recall near 0.96
 * (2,263 at 20k, 5,060 at 100k); bench/retrieval --ann measures both kinds of data.
 */
const RESCORED_PER_ROOT = 16;
/**
 * Candidates ranked by their int8 dot product (a quarter of the bytes of the float vectors) are
 * narrowed to this many per requested result, and at least `MIN_REFINED`, for the exact float product.
 */
const REFINE_OVERSAMPLE = 8;
const MIN_REFINED = 128;
const DEFAULT_APPROXIMATE_FROM = 20_000;
/** Below this many dense vectors a scan takes well under a millisecond: posting it would cost more. */
const DEFAULT_OFF_THREAD_FROM = 4_096;

/** A dense scan described by `prepare`, with what its rows are mapped back through. */
interface PendingDense<T> {
  request: DenseScanRequest;
  slab: DenseSlab;
  slots: number[];
  items: Array<T | undefined>;
}

export interface VectorIndexOptions {
  /** Dense vectors from which on the scan is approximate (binary codes, exact rescoring). */
  approximateFrom?: number;
  /** Dense vectors from which on `searchAsync` scans in the worker thread; `Infinity` never does. */
  offThreadFrom?: number;
  /** The worker to use (tests); by default the process's shared one. */
  worker?: DenseScanWorker;
}

export class VectorIndex<T> {
  private items: Array<T | undefined> = [];
  private groups: number[] = [];
  /** Row in the dense slab, or `SPARSE`. */
  private denseRow: number[] = [];
  private readonly slotOf = new Map<T, number>();
  private dimensionPostings: DimensionPosting[];
  /** Slot of each dense row. */
  private denseSlots: number[] = [];
  private dense: DenseSlab | undefined;
  private readonly approximateFrom: number;
  private readonly offThreadFrom: number;
  private readonly worker: DenseScanWorker | undefined;
  // Per-slot scratch for a query; only the touched slots are reset afterwards.
  private scores = new Float64Array(0);
  private state = new Uint8Array(0);

  constructor(
    readonly dimensions: number,
    options: VectorIndexOptions = {},
  ) {
    this.dimensionPostings = Array.from({ length: dimensions }, emptyPosting);
    this.approximateFrom = options.approximateFrom ?? DEFAULT_APPROXIMATE_FROM;
    this.offThreadFrom = options.offThreadFrom ?? DEFAULT_OFF_THREAD_FROM;
    this.worker = options.worker;
  }

  get size(): number {
    return this.slotOf.size;
  }

  /**
   * `group` is what a search's `allowed` array is indexed by (the store's document ordinal). Zero vectors (text
   * with no tokens) are not stored: they are similar to nothing.
   */
  add(item: T, group: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new Error(`vector has ${vector.length} dims; this index holds ${this.dimensions}`);
    }
    this.remove(item);
    let norm = 0;
    let nonZero = 0;
    for (const x of vector) {
      norm += x * x;
      if (x !== 0) nonZero++;
    }
    if (norm === 0 || !Number.isFinite(norm)) return;
    const inv = 1 / Math.sqrt(norm);
    const slot = this.items.length;
    this.items.push(item);
    this.groups.push(group);
    this.slotOf.set(item, slot);
    if (nonZero > this.dimensions * SPARSE_MAX_FILL) {
      this.dense ??= new DenseSlab(this.dimensions);
      const unit = new Float32Array(this.dimensions);
      for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! * inv;
      this.denseRow.push(this.dense.add(unit, group));
      this.denseSlots.push(slot);
      return;
    }
    this.denseRow.push(SPARSE);
    for (let d = 0; d < vector.length; d++) {
      const x = vector[d]!;
      if (x === 0) continue;
      const p = this.dimensionPostings[d]!;
      if (p.used === p.slots.length) growPosting(p);
      p.slots[p.used] = slot;
      p.values[p.used++] = x * inv;
    }
  }

  remove(item: T): void {
    const slot = this.slotOf.get(item);
    if (slot === undefined) return;
    this.slotOf.delete(item);
    this.items[slot] = undefined;
    const row = this.denseRow[slot]!;
    if (row !== SPARSE) this.dense!.removeRow(row);
    if (this.items.length > 1024 && this.items.length > 2 * this.slotOf.size) this.compact();
  }

  /** Every stored unit vector, densified, in one pass over the storage; for snapshots. */
  vectors(): Map<T, Float32Array> {
    const out = new Map<T, Float32Array>();
    const at = (slot: number): Float32Array | undefined => {
      const item = this.items[slot];
      if (item === undefined) return undefined;
      let v = out.get(item);
      if (!v) {
        v = new Float32Array(this.dimensions);
        out.set(item, v);
      }
      return v;
    };
    this.dimensionPostings.forEach((p, d) => {
      for (let i = 0; i < p.used; i++) {
        const v = at(p.slots[i]!);
        if (v) v[d] = p.values[i]!;
      }
    });
    this.denseSlots.forEach((slot, row) => {
      if (this.items[slot] !== undefined) out.set(this.items[slot]!, this.dense!.vector(row));
    });
    return out;
  }

  /**
   * The `n` items most cosine-similar to `query`, keeping only positive similarity, among items
   * whose group is 1 in `allowed`; the check comes before scoring, so items the caller may not see
   * never enter the ranking. `exact` forces the exact scan of dense vectors (to measure the
   * approximate one against). Runs on the calling thread.
   */
  search(query: Float32Array, n: number, allowed: Uint8Array, exact = false): Ranked<T>[] {
    const prepared = this.prepare(query, n, allowed, exact);
    if (!prepared) return [];
    const { top, dense } = prepared;
    if (dense) this.mergeDense(top, dense, scanDense(dense.slab.kernel(), dense.slab.memory, dense.request));
    return top.sorted();
  }

  /** `search`, with a large dense scan in the worker thread (see the class comment). */
  async searchAsync(query: Float32Array, n: number, allowed: Uint8Array): Promise<Ranked<T>[]> {
    const prepared = this.prepare(query, n, allowed, false);
    if (!prepared) return [];
    const { top, dense } = prepared;
    if (dense) {
      const { request, slab } = dense;
      const here = (): DenseScanResult => scanDense(slab.kernel(), slab.memory, request);
      const worker = this.worker ?? denseScanWorker();
      const result =
        request.rows >= this.offThreadFrom && worker.available
          ? await worker.scan(slab.memory, { ...request, scratch: slab.scratchFor(1, allowed.length) }, here)
          : here();
      this.mergeDense(top, dense, result);
    }
    return top.sorted();
  }

  /** Validates the query, scores the sparse postings, and describes the dense scan still to run. */
  private prepare(
    query: Float32Array,
    n: number,
    allowed: Uint8Array,
    exact: boolean,
  ): { top: TopK<T>; dense?: PendingDense<T> } | undefined {
    if (query.length !== this.dimensions || n <= 0) return undefined;
    let norm = 0;
    for (const x of query) norm += x * x;
    if (norm === 0 || !Number.isFinite(norm)) return undefined;
    const inv = 1 / Math.sqrt(norm);
    const top = this.scanSparse(query, inv, n, allowed);
    const slab = this.dense;
    if (!slab || slab.rows === 0) return { top };
    const unit = new Float32Array(this.dimensions);
    for (let i = 0; i < unit.length; i++) unit[i] = query[i]! * inv;
    const rows = slab.rows;
    const approximate = !exact && rows >= this.approximateFrom;
    const request: DenseScanRequest = {
      blocks: slab.blockTable(),
      rows,
      dimensions: this.dimensions,
      words: slab.words,
      valueBlocks: slab.valueBlocks,
      scratch: slab.scratchFor(0, allowed.length),
      query: unit,
      allowed,
      n,
      rescore: approximate ? Math.max(MIN_RESCORED, n * OVERSAMPLE) : 0,
      rescorePerRoot: RESCORED_PER_ROOT,
      refine: Math.max(MIN_REFINED, n * REFINE_OVERSAMPLE),
    };
    // Rows are read through the arrays of this moment: a compaction while the worker scans replaces them.
    return { top, dense: { request, slab, slots: this.denseSlots, items: this.items } };
  }

  /** Adds the dense results to `top`, skipping items removed while the scan ran. */
  private mergeDense(top: TopK<T>, dense: PendingDense<T>, result: DenseScanResult): void {
    for (let i = 0; i < result.rows.length; i++) {
      const slot = dense.slots[result.rows[i]!];
      const item = slot === undefined ? undefined : dense.items[slot];
      if (item !== undefined && this.slotOf.has(item)) top.push(item, result.scores[i]!);
    }
  }

  private scanSparse(query: Float32Array, inv: number, n: number, allowed: Uint8Array): TopK<T> {
    if (this.scores.length < this.items.length) {
      this.scores = new Float64Array(this.items.length * 2);
      this.state = new Uint8Array(this.items.length * 2);
    }
    const { items, groups, scores, state } = this;
    const touched: number[] = [];
    for (let d = 0; d < query.length; d++) {
      const qd = query[d]! * inv;
      if (qd === 0) continue;
      const { slots, values, used } = this.dimensionPostings[d]!;
      for (let i = 0; i < used; i++) {
        const slot = slots[i]!;
        const s = state[slot]!;
        if (s === REFUSED) continue;
        if (s === UNSEEN) {
          touched.push(slot);
          if (items[slot] === undefined || allowed[groups[slot]!] !== 1) {
            state[slot] = REFUSED;
            continue;
          }
          state[slot] = SCORED;
          scores[slot] = 0;
        }
        scores[slot]! += qd * values[i]!;
      }
    }
    const top = new TopK<T>(n);
    for (const slot of touched) {
      if (state[slot] === SCORED && scores[slot]! > 0) top.push(items[slot]!, scores[slot]!);
      state[slot] = UNSEEN;
    }
    return top;
  }

  /** Rewrites the storage without removed vectors, renumbering the live ones densely. */
  private compact(): void {
    const vectors = this.vectors();
    // Slot order, so ties keep ranking the way they did before compaction.
    const live = this.items.flatMap((item, slot) => {
      const vector = item === undefined ? undefined : vectors.get(item);
      return item !== undefined && vector ? [{ item, group: this.groups[slot] ?? 0, vector }] : [];
    });
    this.items = [];
    this.groups = [];
    this.denseRow = [];
    this.denseSlots = [];
    this.slotOf.clear();
    this.dimensionPostings = Array.from({ length: this.dimensions }, emptyPosting);
    // A fresh memory: a scan still running in the worker keeps reading the old one.
    this.dense = undefined;
    for (const { item, group, vector } of live) this.add(item, group, vector);
  }
}

const UNSEEN = 0;
const SCORED = 1;
const REFUSED = 2;

function emptyPosting(): DimensionPosting {
  return { slots: new Int32Array(0), values: new Float32Array(0), used: 0 };
}

function growPosting(p: DimensionPosting): void {
  const size = Math.max(8, p.slots.length * 2);
  const slots = new Int32Array(size);
  slots.set(p.slots);
  const values = new Float32Array(size);
  values.set(p.values);
  p.slots = slots;
  p.values = values;
}
