import { TopK, type Ranked } from './top-k.js';

const K1 = 1.2;
const B = 0.75;
const MAX_TF = 0xffff;

/** One term's postings: parallel slot/tf arrays, grown by doubling. Removed slots stay until compaction. */
interface Posting {
  term: string;
  slots: Int32Array;
  tfs: Uint16Array;
  used: number;
  /** Live items containing the term, i.e. the BM25 document frequency. */
  df: number;
}

/**
 * BM25 over an inverted index. Items get integer slots so postings are flat typed arrays and scores
 * accumulate in a reusable array, not in per-query maps; document frequencies and the length total are
 * kept current on add/remove, so a query touches only the postings of its own terms. Removal only
 * tombstones a slot; when tombstones outnumber live items the postings are rewritten without them.
 */
export class KeywordIndex<T> {
  private readonly termIds = new Map<string, number>();
  private postings: Posting[] = [];
  private items: Array<T | undefined> = [];
  private groups: number[] = [];
  private lengths: number[] = [];
  private itemTerms: Array<Int32Array | undefined> = [];
  private readonly slotOf = new Map<T, number>();
  private totalLength = 0;
  // Per-slot scratch for a query; only the touched slots are reset afterwards.
  private scores = new Float64Array(0);
  private state = new Uint8Array(0);

  get size(): number {
    return this.slotOf.size;
  }

  /** `group` is what a search's `allowed` array is indexed by (the store's document ordinal). */
  add(item: T, group: number, termFreq: ReadonlyMap<string, number>, length: number): void {
    this.remove(item);
    const slot = this.items.length;
    this.items.push(item);
    this.groups.push(group);
    this.lengths.push(length);
    this.slotOf.set(item, slot);
    this.totalLength += length;
    const ids = new Int32Array(termFreq.size);
    let k = 0;
    for (const [term, tf] of termFreq) {
      const posting = this.posting(term);
      if (posting.used === posting.slots.length) grow(posting);
      posting.slots[posting.used] = slot;
      posting.tfs[posting.used] = Math.min(tf, MAX_TF);
      posting.used++;
      posting.df++;
      ids[k++] = this.termIds.get(term)!;
    }
    this.itemTerms.push(ids);
  }

  remove(item: T): void {
    const slot = this.slotOf.get(item);
    if (slot === undefined) return;
    this.slotOf.delete(item);
    this.items[slot] = undefined;
    this.totalLength -= this.lengths[slot] ?? 0;
    for (const id of this.itemTerms[slot] ?? []) {
      const posting = this.postings[id];
      if (posting) posting.df--;
    }
    this.itemTerms[slot] = undefined;
    if (this.items.length > 1024 && this.items.length > 2 * this.slotOf.size) this.compact();
  }

  /**
   * Chunks containing `term` among those whose group is 1 in `allowed`: the document frequency of the
   * caller's own partition, so nothing the caller cannot read moves its scores.
   */
  documentFrequency(term: string, allowed: Uint8Array): number {
    const id = this.termIds.get(term);
    const posting = id === undefined ? undefined : this.postings[id];
    if (!posting || posting.df === 0) return 0;
    let df = 0;
    const { slots, used } = posting;
    for (let i = 0; i < used; i++) {
      const slot = slots[i]!;
      if (this.items[slot] !== undefined && allowed[this.groups[slot]!] === 1) df++;
    }
    return df;
  }

  /**
   * The `n` best items for the weighted `queryTerms`, among items whose group is 1 in `allowed`; the
   * check comes before scoring, so items the caller may not see never enter the ranking at all.
   * `partition` gives the statistics of the allowed items (count, mean length, document frequency),
   * so scores depend only on what the caller may read.
   */
  search(
    queryTerms: ReadonlyMap<string, number>,
    n: number,
    allowed: Uint8Array,
    partition: { count: number; averageLength: number; documentFrequency: (term: string) => number },
  ): Ranked<T>[] {
    const count = partition.count;
    if (count === 0 || n <= 0) return [];
    if (this.scores.length < this.items.length) {
      this.scores = new Float64Array(this.items.length * 2);
      this.state = new Uint8Array(this.items.length * 2);
    }
    const { scores, state, items, groups, lengths } = this;
    const avgLength = partition.averageLength || 1;
    const touched: number[] = [];
    for (const [term, weight] of queryTerms) {
      const id = this.termIds.get(term);
      const posting = id === undefined ? undefined : this.postings[id];
      if (!posting || posting.df === 0) continue;
      const df = partition.documentFrequency(term);
      if (df === 0) continue;
      const idf = weight * Math.log(1 + (count - df + 0.5) / (df + 0.5));
      const { slots, tfs, used } = posting;
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
        const tf = tfs[i]!;
        scores[slot]! += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[slot]!) / avgLength));
      }
    }
    const top = new TopK<T>(n);
    for (const slot of touched) {
      if (state[slot] === SCORED && scores[slot]! > 0) top.push(items[slot]!, scores[slot]!);
      state[slot] = UNSEEN;
    }
    return top.sorted();
  }

  private posting(term: string): Posting {
    const id = this.termIds.get(term);
    if (id !== undefined) return this.postings[id]!;
    const posting: Posting = { term, slots: new Int32Array(4), tfs: new Uint16Array(4), used: 0, df: 0 };
    this.termIds.set(term, this.postings.length);
    this.postings.push(posting);
    return posting;
  }

  /** Renumbers live items densely and drops tombstoned postings and terms nobody uses any more. */
  private compact(): void {
    const remap = new Int32Array(this.items.length).fill(-1);
    const items: T[] = [];
    const groups: number[] = [];
    const lengths: number[] = [];
    this.items.forEach((item, slot) => {
      if (item === undefined) return;
      remap[slot] = items.length;
      this.slotOf.set(item, items.length);
      items.push(item);
      groups.push(this.groups[slot] ?? 0);
      lengths.push(this.lengths[slot] ?? 0);
    });
    const postings: Posting[] = [];
    const newId = new Int32Array(this.postings.length).fill(-1);
    this.termIds.clear();
    this.postings.forEach((p, id) => {
      if (p.df === 0) return;
      let w = 0;
      for (let r = 0; r < p.used; r++) {
        const to = remap[p.slots[r]!]!;
        if (to < 0) continue;
        p.slots[w] = to;
        p.tfs[w++] = p.tfs[r]!;
      }
      p.used = w;
      newId[id] = postings.length;
      this.termIds.set(p.term, postings.length);
      postings.push(p);
    });
    const itemTerms: Int32Array[] = [];
    this.itemTerms.forEach((ids, slot) => {
      if (ids && remap[slot]! >= 0) itemTerms.push(ids.map((id) => newId[id]!));
    });
    this.items = items;
    this.groups = groups;
    this.lengths = lengths;
    this.itemTerms = itemTerms;
    this.postings = postings;
  }
}

const UNSEEN = 0;
const SCORED = 1;
const REFUSED = 2;

function grow(p: Posting): void {
  const slots = new Int32Array(p.slots.length * 2);
  slots.set(p.slots);
  const tfs = new Uint16Array(p.tfs.length * 2);
  tfs.set(p.tfs);
  p.slots = slots;
  p.tfs = tfs;
}
