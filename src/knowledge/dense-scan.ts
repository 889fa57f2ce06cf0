import type { DenseKernel, WasmMemory } from './dense-kernel.js';

/**
 * One dense query against a `DenseSlab`'s memory, described only by numbers and typed arrays so that it
 * can be posted to a worker as is. `blocks` holds, per block of rows, [first row, rows used, codes
 * offset, groups offset, values offset]; it is a snapshot, so rows appended later are not scanned.
 */
export interface DenseScanRequest {
  blocks: Int32Array;
  rows: number;
  dimensions: number;
  /** 64-bit words per sign code. */
  words: number;
  /** Values per stored vector, in 16-float blocks (the tail beyond `dimensions` is zero). */
  valueBlocks: number;
  /** Where this thread's scratch space starts (query, its code, the allowed bytes, distances, histogram). */
  scratch: number;
  /** Unit query vector of `dimensions` values. */
  query: Float32Array;
  allowed: Uint8Array;
  n: number;
  /**
   * Candidates to rescore exactly after the Hamming ranking, at least; 0 for an exact scan of every
   * row. `rescorePerRoot` × √(admissible rows) are rescored if that is more.
   */
  rescore: number;
  rescorePerRoot: number;
}

export interface DenseScanResult {
  /** Best first; equal scores keep row order. Only positive similarities. */
  rows: Int32Array;
  scores: Float64Array;
}

/** Bytes of scratch a request over `rows` rows and `allowedLength` groups needs (see `scanDense`). */
export function scratchBytes(rows: number, allowedLength: number, dimensions: number, words: number, valueBlocks: number): number {
  const round = (n: number): number => Math.ceil(n / 64) * 64;
  return round(valueBlocks * 64) + round(words * 8) + round(allowedLength) + round(rows * 2) + round((dimensions + 2) * 4);
}

/**
 * The scan itself: with `rescore` > 0, the Hamming distance of every admissible row's sign code to the
 * query's (wasm), a histogram of those distances to find the cut-off that keeps about `rescore` rows,
 * then the exact dot product of just those; with `rescore` 0, the dot product of every admissible row.
 * The worker runs this function from its source text (`Function.prototype.toString`), so it must not
 * refer to anything outside itself, and the layout it assumes must match `scratchBytes`.
 */
export function scanDense(kernel: DenseKernel, memory: WasmMemory, request: DenseScanRequest): DenseScanResult {
  const { blocks, rows, dimensions, words, valueBlocks, query, allowed, n } = request;
  const buffer = memory.buffer;
  const round = (bytes: number): number => Math.ceil(bytes / 64) * 64;
  let at = request.scratch;
  const queryAt = at;
  const padded = new Float32Array(buffer, queryAt, valueBlocks * 16);
  padded.fill(0);
  padded.set(query.subarray(0, dimensions));
  at += round(valueBlocks * 64);
  const codeAt = at;
  const code = new Uint32Array(buffer, codeAt, words * 2);
  code.fill(0);
  for (let i = 0; i < dimensions; i++) if (query[i]! > 0) code[i >>> 5]! |= 1 << (i & 31);
  at += round(words * 8);
  const allowedAt = at;
  new Uint8Array(buffer, allowedAt, allowed.length).set(allowed);
  at += round(allowed.length);
  const distanceAt = at;
  at += round(rows * 2);
  const histogramAt = at;

  // The best `n` so far, ascending by score, so the weakest is at 0; a newcomer must beat it strictly.
  const bestRows = new Int32Array(Math.max(0, n));
  const bestScores = new Float64Array(Math.max(0, n));
  let kept = 0;
  const consider = (row: number, score: number): void => {
    if (score <= 0 || n <= 0) return;
    if (kept < n) {
      let i = kept++;
      // Among equals the earlier row ranks higher, so it sits further right.
      while (i > 0 && bestScores[i - 1]! >= score) {
        bestScores[i] = bestScores[i - 1]!;
        bestRows[i] = bestRows[i - 1]!;
        i--;
      }
      bestScores[i] = score;
      bestRows[i] = row;
      return;
    }
    if (score <= bestScores[0]!) return;
    let i = 0;
    while (i + 1 < n && bestScores[i + 1]! < score) {
      bestScores[i] = bestScores[i + 1]!;
      bestRows[i] = bestRows[i + 1]!;
      i++;
    }
    bestScores[i] = score;
    bestRows[i] = row;
  };
  const stride = valueBlocks * 64;

  if (request.rescore <= 0) {
    for (let b = 0; b < blocks.length; b += 5) {
      const [first, used, , groupsAt, valuesAt] = [blocks[b]!, blocks[b + 1]!, blocks[b + 2]!, blocks[b + 3]!, blocks[b + 4]!];
      const groups = new Int32Array(buffer, groupsAt, used);
      for (let r = 0; r < used; r++) {
        const group = groups[r]!;
        if (group < 0 || group >= allowed.length || allowed[group] !== 1) continue;
        consider(first + r, kernel.dot(valuesAt + r * stride, queryAt, valueBlocks));
      }
    }
  } else {
    const histogram = new Uint32Array(buffer, histogramAt, dimensions + 2);
    histogram.fill(0);
    for (let b = 0; b < blocks.length; b += 5) {
      const first = blocks[b]!;
      kernel.hamming(blocks[b + 2]!, blocks[b + 3]!, allowedAt, allowed.length, codeAt, blocks[b + 1]!, words, distanceAt + first * 2, histogramAt);
    }
    let admissible = 0;
    for (let d = 0; d <= dimensions; d++) admissible += histogram[d]!;
    // Distances below `cutoff` all fit in the budget; at `cutoff` itself, only as many as still do.
    let cutoff = 0;
    let budget = Math.max(request.rescore, Math.ceil(Math.sqrt(admissible) * request.rescorePerRoot));
    while (cutoff <= dimensions && histogram[cutoff]! <= budget) budget -= histogram[cutoff++]!;
    const distances = new Uint16Array(buffer, distanceAt, rows);
    for (let b = 0; b < blocks.length; b += 5) {
      const [first, used, valuesAt] = [blocks[b]!, blocks[b + 1]!, blocks[b + 4]!];
      for (let r = 0; r < used; r++) {
        const d = distances[first + r]!;
        if (d > cutoff || (d === cutoff && budget-- <= 0)) continue;
        consider(first + r, kernel.dot(valuesAt + r * stride, queryAt, valueBlocks));
      }
    }
  }
  const outRows = new Int32Array(kept);
  const outScores = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    outRows[i] = bestRows[kept - 1 - i]!;
    outScores[i] = bestScores[kept - 1 - i]!;
  }
  return { rows: outRows, scores: outScores };
}
