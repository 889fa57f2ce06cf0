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
 * Exact cosine search. Vectors are normalised on the way in, so a query costs dot products, and are
 * kept in whichever layout makes those cheap:
 *
 * - sparse vectors (the offline hashing embedder fills a few hundred of 1024 dimensions) go into an
 *   inverted index by dimension, so a query only visits the postings of its own non-zero dimensions:
 *   a few thousand entries at 100k chunks instead of every stored value;
 * - dense vectors (model embeddings) go into one contiguous slab scanned brute force, linear in the
 *   corpus (100k × 1024 is ~10⁸ multiply-adds, tens of milliseconds), which does not yet justify an
 *   approximate index and the recall it gives up.
 *
 * Removal tombstones a slot; once tombstones outnumber live items the storage is rewritten without them.
 */
export class VectorIndex<T> {
  private items: Array<T | undefined> = [];
  private groups: number[] = [];
  /** Offset into the dense slab, or `SPARSE`. */
  private denseStart: number[] = [];
  private readonly slotOf = new Map<T, number>();
  private dimensionPostings: DimensionPosting[];
  private denseSlots: number[] = [];
  private denseValue = new Float32Array(0);
  private denseUsed = 0;
  // Per-slot scratch for a query; only the touched slots are reset afterwards.
  private scores = new Float64Array(0);
  private state = new Uint8Array(0);

  constructor(readonly dimensions: number) {
    this.dimensionPostings = Array.from({ length: dimensions }, emptyPosting);
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
      this.reserveDense();
      this.denseStart.push(this.denseUsed);
      this.denseSlots.push(slot);
      for (let i = 0; i < vector.length; i++) this.denseValue[this.denseUsed++] = vector[i]! * inv;
      return;
    }
    this.denseStart.push(SPARSE);
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
    for (const slot of this.denseSlots) {
      const v = at(slot);
      const start = this.denseStart[slot]!;
      if (v) v.set(this.denseValue.subarray(start, start + this.dimensions));
    }
    return out;
  }

  /**
   * The `n` items most cosine-similar to `query`, keeping only positive similarity, among items
   * whose group is 1 in `allowed`; the check comes before scoring, so items the caller may not see
   * never enter the ranking.
   */
  search(query: Float32Array, n: number, allowed: Uint8Array): Ranked<T>[] {
    if (query.length !== this.dimensions || n <= 0) return [];
    let norm = 0;
    for (const x of query) norm += x * x;
    if (norm === 0 || !Number.isFinite(norm)) return [];
    const inv = 1 / Math.sqrt(norm);
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
    this.scanDense(query, inv, top, allowed);
    return top.sorted();
  }

  private scanDense(query: Float32Array, inv: number, top: TopK<T>, allowed: Uint8Array): void {
    const { items, groups, denseStart, denseValue, dimensions } = this;
    let threshold = Math.max(0, top.threshold);
    for (const slot of this.denseSlots) {
      const item = items[slot];
      if (item === undefined || allowed[groups[slot]!] !== 1) continue;
      const start = denseStart[slot]!;
      let dot = 0;
      for (let j = 0; j < dimensions; j++) dot += denseValue[start + j]! * query[j]!;
      const score = dot * inv;
      if (score > threshold) {
        top.push(item, score);
        threshold = Math.max(0, top.threshold);
      }
    }
  }

  private reserveDense(): void {
    if (this.denseUsed + this.dimensions <= this.denseValue.length) return;
    const value = new Float32Array(Math.max(this.denseValue.length * 2, this.denseUsed + this.dimensions));
    value.set(this.denseValue.subarray(0, this.denseUsed));
    this.denseValue = value;
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
    this.denseStart = [];
    this.denseSlots = [];
    this.slotOf.clear();
    this.dimensionPostings = Array.from({ length: this.dimensions }, emptyPosting);
    this.denseValue = new Float32Array(0);
    this.denseUsed = 0;
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
