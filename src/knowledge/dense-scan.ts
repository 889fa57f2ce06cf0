import type { DenseKernel, WasmMemory } from './dense-kernel.js';

/**
 * One dense query against a `DenseSlab`'s memory, described only by numbers and typed arrays so that it
 * can be posted to a worker as is. `blocks` holds, per block of rows, [first row, rows used, codes
 * offset, groups offset, values offset, int8 values offset, int8 scales offset]; it is a snapshot,
 * so rows appended later are not scanned.
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
  /** Of those, how many the int8 estimate passes on to the exact float dot product. */
  refine: number;
}

export interface DenseScanResult {
  /** Best first; equal scores keep row order. Only positive similarities. */
  rows: Int32Array;
  scores: Float64Array;
}

/** Bytes of scratch a request over `rows` rows and `allowedLength` groups needs (see `scanDense`). */
export function scratchBytes(rows: number, allowedLength: number, dimensions: number, words: number, valueBlocks: number): number {
  const round = (n: number): number => Math.ceil(n / 64) * 64;
  return round(valueBlocks * 64) + round(valueBlocks * 16) + round(words * 8) + round(allowedLength) + round(rows * 2) + round((dimensions + 2) * 4);
}

/**
 * The scan itself: with `rescore` > 0, the Hamming distance of every admissible row's sign code to the
 * query's (wasm), a histogram of those distances to find the cut-off that keeps about `rescore` rows,
 * an int8 dot product of just those, and the exact dot product of the `refine` best of them; with
 * `rescore` 0, the exact dot product of every admissible row.
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
  const smallAt = at;
  const small = new Int8Array(buffer, smallAt, valueBlocks * 16);
  small.fill(0);
  let largest = 0;
  for (let i = 0; i < dimensions; i++) largest = Math.max(largest, Math.abs(query[i]!));
  const queryScale = largest > 0 ? 127 / largest : 0;
  for (let i = 0; i < dimensions; i++) small[i] = Math.round(query[i]! * queryScale);
  at += round(valueBlocks * 16);
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

  // The best `size` so far, ascending by score, so the weakest is at 0; a newcomer must beat it
  // strictly. Rows arrive in ascending order, and among equals the earlier row ranks higher.
  const best = (size: number) => {
    const rows = new Int32Array(Math.max(0, size));
    const scores = new Float64Array(Math.max(0, size));
    let kept = 0;
    const consider = (row: number, score: number): void => {
      if (score <= 0 || size <= 0) return;
      if (kept < size) {
        let i = kept++;
        while (i > 0 && scores[i - 1]! >= score) {
          scores[i] = scores[i - 1]!;
          rows[i] = rows[i - 1]!;
          i--;
        }
        scores[i] = score;
        rows[i] = row;
        return;
      }
      if (score <= scores[0]!) return;
      let i = 0;
      while (i + 1 < size && scores[i + 1]! < score) {
        scores[i] = scores[i + 1]!;
        rows[i] = rows[i + 1]!;
        i++;
      }
      scores[i] = score;
      rows[i] = row;
    };
    return { rows, scores, consider, kept: () => kept };
  };
  const top = best(n);
  const consider = top.consider;
  const stride = valueBlocks * 64;

  if (request.rescore <= 0) {
    for (let b = 0; b < blocks.length; b += 7) {
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
    for (let b = 0; b < blocks.length; b += 7) {
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
    // The int8 estimate ranks the Hamming candidates; only the `refine` best are read as floats.
    const estimate = best(Math.max(n, request.refine));
    const smallStride = valueBlocks * 16;
    const unscale = queryScale > 0 ? 1 / queryScale : 0;
    for (let b = 0; b < blocks.length; b += 7) {
      const [first, used, smallsAt] = [blocks[b]!, blocks[b + 1]!, blocks[b + 5]!];
      const scales = new Float32Array(buffer, blocks[b + 6]!, used);
      for (let r = 0; r < used; r++) {
        const d = distances[first + r]!;
        if (d > cutoff || (d === cutoff && budget-- <= 0)) continue;
        // `consider` keeps only positive scores: shifted by 1, every estimate of a cosine counts.
        const approximate = kernel.dot8(smallsAt + r * smallStride, smallAt, valueBlocks) * scales[r]! * unscale;
        estimate.consider(first + r, approximate + 1);
      }
    }
    const candidates = Array.from(estimate.rows.subarray(0, estimate.kept())).sort((x, y) => x - y);
    let b = 0;
    for (const row of candidates) {
      while (row >= blocks[b]! + blocks[b + 1]!) b += 7;
      consider(row, kernel.dot(blocks[b + 4]! + (row - blocks[b]!) * stride, queryAt, valueBlocks));
    }
  }
  const kept = top.kept();
  const outRows = new Int32Array(kept);
  const outScores = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    outRows[i] = top.rows[kept - 1 - i]!;
    outScores[i] = top.scores[kept - 1 - i]!;
  }
  return { rows: outRows, scores: outScores };
}
