export interface Ranked<T> {
  item: T;
  score: number;
}

/**
 * Keeps the `k` best of a stream in a bounded min-heap, so ranking 100k chunks costs O(n log k)
 * rather than a full sort. Equal scores keep arrival order, which makes results reproducible.
 */
export class TopK<T> {
  private readonly heap: Array<Ranked<T> & { seq: number }> = [];
  private seq = 0;

  constructor(private readonly k: number) {}

  /** How many results it keeps. */
  get capacity(): number {
    return this.k;
  }

  /** The score a newcomer must beat once the heap is full. */
  get threshold(): number {
    return this.heap.length < this.k ? -Infinity : (this.heap[0]?.score ?? -Infinity);
  }

  push(item: T, score: number): void {
    const seq = this.seq++;
    if (this.k <= 0) return;
    if (this.heap.length < this.k) {
      this.heap.push({ item, score, seq });
      this.siftUp(this.heap.length - 1);
    } else if (score > this.heap[0]!.score) {
      // Only a strictly higher score displaces the minimum: on a tie the earlier arrival stays.
      this.heap[0] = { item, score, seq };
      this.siftDown(0);
    }
  }

  /** Best first. */
  sorted(): Ranked<T>[] {
    return [...this.heap]
      .sort((a, b) => b.score - a.score || a.seq - b.seq)
      .map(({ item, score }) => ({ item, score }));
  }

  // `a` ranks below `b`: lower score, or same score but arrived later.
  private worse(a: { score: number; seq: number }, b: { score: number; seq: number }): boolean {
    return a.score < b.score || (a.score === b.score && a.seq > b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < h.length && this.worse(h[l]!, h[least]!)) least = l;
      if (r < h.length && this.worse(h[r]!, h[least]!)) least = r;
      if (least === i) return;
      [h[i], h[least]] = [h[least]!, h[i]!];
      i = least;
    }
  }
}
