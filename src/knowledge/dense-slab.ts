import { MAXIMUM_PAGES, instantiateDenseKernel, sharedMemory, type DenseKernel, type WasmMemory } from './dense-kernel.js';
import { scratchBytes } from './dense-scan.js';

const PAGE = 65536;
const ROWS_PER_BLOCK = 4096;
const MIN_BLOCK_ROWS = 64;
const BLOCK_FIELDS = 7;
/** Every slab still alive, so `denseMemoryBytes` can count memory the JS heap figures leave out. */
const live = new Set<WeakRef<DenseSlab>>();

/**
 * Bytes held by the dense slabs of this thread: wasm memory is neither heap nor `arrayBuffers` in
 * `process.memoryUsage()`, so benchmarks add this.
 */
export function denseMemoryBytes(): number {
  let bytes = 0;
  for (const ref of live) {
    const slab = ref.deref();
    if (slab) bytes += slab.memory.buffer.byteLength;
    else live.delete(ref);
  }
  return bytes;
}

/** Scratch regions: one for the calling thread's synchronous scans, one for the worker's. */
export type ScratchOwner = 0 | 1;

/**
 * Unit dense vectors in one shared WebAssembly memory, laid out for `scanDense`: blocks of rows, each
 * holding its rows' sign codes (one bit per dimension, contiguous, so the Hamming pass streams through
 * 1/32 of the data), their groups (-1 once removed), their values (padded to 16-float blocks), and
 * the values again as int8 (scaled so the largest magnitude is 127) with that scale, which lets the
 * candidates of the Hamming pass be ranked reading a quarter of the bytes.
 * Blocks grow geometrically up to 4096 rows, so a small index stays small and a large one never
 * copies what it already holds. The memory is shared so a worker can scan it while this thread writes
 * rows the worker was not asked about.
 */
export class DenseSlab {
  readonly memory: WasmMemory;
  readonly words: number;
  readonly valueBlocks: number;
  /** Per block: first row, rows used, codes, groups, values, int8 values, scales offsets (as `DenseScanRequest.blocks`). */
  private blocks: number[] = [];
  private capacity = 0;
  private top = 64;
  private rowCount = 0;
  private readonly scratch: Array<{ at: number; bytes: number }> = [
    { at: 0, bytes: 0 },
    { at: 0, bytes: 0 },
  ];

  constructor(readonly dimensions: number) {
    if (dimensions > 60_000) throw new Error(`dense vectors of ${dimensions} dims are not supported`);
    this.words = Math.ceil(dimensions / 64);
    this.valueBlocks = Math.ceil(dimensions / 16);
    this.memory = sharedMemory();
    live.add(new WeakRef(this));
  }

  private instance: DenseKernel | undefined;

  /** The kernel bound to this memory, for scans on this thread. */
  kernel(): DenseKernel {
    this.instance ??= instantiateDenseKernel(this.memory);
    return this.instance;
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Stores `unit` (already normalised) and returns its row. */
  add(unit: Float32Array, group: number): number {
    if (this.rowCount === this.capacity) this.addBlock();
    const row = this.rowCount++;
    const b = this.blocks.length - BLOCK_FIELDS;
    const r = row - this.blocks[b]!;
    this.blocks[b + 1] = r + 1;
    const buffer = this.memory.buffer;
    const code = new Uint32Array(buffer, this.blocks[b + 2]! + r * this.words * 8, this.words * 2);
    const values = new Float32Array(buffer, this.blocks[b + 4]! + r * this.valueBlocks * 64, this.dimensions);
    const small = new Int8Array(buffer, this.blocks[b + 5]! + r * this.valueBlocks * 16, this.dimensions);
    let largest = 0;
    for (let i = 0; i < this.dimensions; i++) {
      values[i] = unit[i]!;
      if (unit[i]! > 0) code[i >>> 5]! |= 1 << (i & 31);
      largest = Math.max(largest, Math.abs(unit[i]!));
    }
    const scale = largest > 0 ? 127 / largest : 0;
    for (let i = 0; i < this.dimensions; i++) small[i] = Math.round(unit[i]! * scale);
    new Float32Array(buffer, this.blocks[b + 6]! + r * 4, 1)[0] = largest / 127;
    new Int32Array(buffer, this.blocks[b + 3]! + r * 4, 1)[0] = group;
    return row;
  }

  /** Removed rows keep their place but are refused by every scan. */
  removeRow(row: number): void {
    const [b, r] = this.locate(row);
    new Int32Array(this.memory.buffer, this.blocks[b + 3]! + r * 4, 1)[0] = -1;
  }

  /** A copy of the stored unit vector. */
  vector(row: number): Float32Array {
    const [b, r] = this.locate(row);
    return new Float32Array(this.memory.buffer, this.blocks[b + 4]! + r * this.valueBlocks * 64, this.dimensions).slice();
  }

  /** A snapshot of the block table, for a request. */
  blockTable(): Int32Array {
    return Int32Array.from(this.blocks);
  }

  /** Where `owner`'s scratch space for a scan of the current rows with `allowedLength` groups starts. */
  scratchFor(owner: ScratchOwner, allowedLength: number): number {
    const bytes = scratchBytes(this.rowCount, allowedLength, this.dimensions, this.words, this.valueBlocks);
    const region = this.scratch[owner]!;
    if (region.bytes < bytes) {
      // Room to grow, so a growing index does not leave a trail of outgrown regions behind.
      region.bytes = Math.ceil(bytes * 1.5);
      region.at = this.allocate(region.bytes);
    }
    return region.at;
  }

  private locate(row: number): [number, number] {
    // Blocks are few (4096 rows each once grown); a linear walk from the end finds recent rows fast.
    for (let b = this.blocks.length - BLOCK_FIELDS; b >= 0; b -= BLOCK_FIELDS) {
      if (row >= this.blocks[b]!) return [b, row - this.blocks[b]!];
    }
    throw new Error(`no row ${row}`);
  }

  private addBlock(): void {
    const rows = Math.min(ROWS_PER_BLOCK, Math.max(MIN_BLOCK_ROWS, this.capacity));
    const codes = this.allocate(rows * this.words * 8);
    const groups = this.allocate(rows * 4);
    const values = this.allocate(rows * this.valueBlocks * 64);
    const small = this.allocate(rows * this.valueBlocks * 16);
    const scales = this.allocate(rows * 4);
    this.blocks.push(this.capacity, 0, codes, groups, values, small, scales);
    this.capacity += rows;
  }

  /** Bump allocation of zeroed, 64-byte aligned bytes; the memory only grows. */
  private allocate(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 64) * 64;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      const pages = Math.ceil((this.top - have) / PAGE);
      if (have / PAGE + pages > MAXIMUM_PAGES) throw new Error('dense vector index is full (4 GiB)');
      this.memory.grow(pages);
    }
    return at;
  }
}
