/**
 * The two inner loops of the dense vector scan as a WebAssembly module, encoded here byte by byte so
 * that no compiler toolchain is needed (Node 20 runs wasm SIMD and `i64.popcnt` natively):
 *
 * - `hamming(codes, groups, allowed, allowedLength, query, count, words, out, histogram)`: for each of
 *   `count` rows, the Hamming distance between its sign code (`words` 64-bit words at `codes`) and the
 *   query's, written as u16 to `out`, and counted in the u32 `histogram`. A row whose group (i32 at
 *   `groups`) is negative (removed), not below `allowedLength` or 0 in the `allowed` bytes gets
 *   0xffff and is not counted: the access check comes before any distance is computed.
 * - `dot(a, b, blocks)`: the f32 dot product of two vectors of `blocks` × 16 floats;
 * - `dot8(a, b, blocks)`: the i32 dot product of two vectors of `blocks` × 16 int8 values.
 *
 * The module imports one shared memory, so the same bytes serve the main thread and a worker. One
 * popcount of a 64-bit XOR replaces 64 multiply-adds; a 16-bit table in JS did two lookups per 32 bits.
 */

/** Unsigned LEB128, the integer encoding of wasm's binary format. */
function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for `i32.const`). */
function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

const name = (s: string): number[] => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));

// Value types, and the opcodes used below (names as in the wasm spec).
const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const V128 = 0x7b;
const VOID = 0x40;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8u: 0x2d,
  i32Store: 0x36,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Xor: 0x85,
  i32WrapI64: 0xa7,
  f32Add: 0x92,
  simd: 0xfd,
} as const;
// SIMD opcodes follow the 0xfd prefix as LEB128.
const simd = (code: number): number[] => [op.simd, ...u32(code)];
const v128Load = (offset: number): number[] => [...simd(0x00), 4, ...u32(offset)];
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
const f32x4Lane = (lane: number): number[] => [...simd(0x1f), lane];
const i16x8ExtendLow = simd(0x87);
const i16x8ExtendHigh = simd(0x88);
const i32x4Dot = simd(0xba);
const i32x4Add = simd(0xae);
const i32x4Lane = (lane: number): number[] => [...simd(0x1b), lane];

const get = (local: number): number[] => [op.get, ...u32(local)];
const set = (local: number): number[] => [op.set, ...u32(local)];
const i32 = (n: number): number[] => [op.i32Const, ...s32(n)];
/** memarg: alignment exponent, then offset. */
const mem = (align: number, offset = 0): number[] => [align, ...u32(offset)];

function hammingBody(): number[] {
  // Parameters 0..8: codes, groups, allowed, allowedLength, query, count, words, out, histogram.
  const [codes, groups, allowed, allowedLength, query, count, words, out, histogram] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // Locals: row, word, code pointer, query pointer, group, distance (i64 accumulator), histogram slot.
  const [row, word, cp, qp, group, acc, slot] = [9, 10, 11, 12, 13, 14, 15];
  const locals = vec([
    [...u32(5), I32],
    [...u32(1), I64],
    [...u32(1), I32],
  ]);
  const code = [
    op.block, VOID,
    op.loop, VOID,
    // if row >= count: done
    ...get(row), ...get(count), op.i32GeU, op.brIf, 1,
    // group = groups[row]
    ...get(groups), ...get(row), ...i32(2), op.i32Shl, op.i32Add, op.i32Load, ...mem(2), op.tee, ...u32(group),
    // admissible = group <u allowedLength ? allowed[group] : 0 (a negative group is a huge unsigned)
    ...get(allowedLength), op.i32LtU,
    op.if, I32,
    ...get(allowed), ...get(group), op.i32Add, op.i32Load8u, ...mem(0),
    op.else, ...i32(0), op.end,
    op.if, VOID,
    // acc = 0; cp = codes + row * words * 8; qp = query; word = 0
    op.i64Const, 0, ...set(acc),
    ...get(codes), ...get(row), ...get(words), op.i32Mul, ...i32(3), op.i32Shl, op.i32Add, ...set(cp),
    ...get(query), ...set(qp),
    ...i32(0), ...set(word),
    op.loop, VOID,
    ...get(acc), ...get(cp), op.i64Load, ...mem(3), ...get(qp), op.i64Load, ...mem(3), op.i64Xor, op.i64Popcnt, op.i64Add, ...set(acc),
    ...get(cp), ...i32(8), op.i32Add, ...set(cp),
    ...get(qp), ...i32(8), op.i32Add, ...set(qp),
    ...get(word), ...i32(1), op.i32Add, op.tee, ...u32(word), ...get(words), op.i32LtU, op.brIf, 0,
    op.end,
    // out[row] = distance; histogram[distance]++
    ...get(out), ...get(row), ...i32(1), op.i32Shl, op.i32Add, ...get(acc), op.i32WrapI64, op.i32Store16, ...mem(1),
    ...get(histogram), ...get(acc), op.i32WrapI64, ...i32(2), op.i32Shl, op.i32Add, op.tee, ...u32(slot),
    ...get(slot), op.i32Load, ...mem(2), ...i32(1), op.i32Add, op.i32Store, ...mem(2),
    op.else,
    ...get(out), ...get(row), ...i32(1), op.i32Shl, op.i32Add, ...i32(0xffff), op.i32Store16, ...mem(1),
    op.end,
    ...get(row), ...i32(1), op.i32Add, ...set(row),
    op.br, 0,
    op.end,
    op.end,
    op.end,
  ];
  return [...locals, ...code];
}

function dotBody(): number[] {
  // Parameters: a, b, blocks (of 16 floats). Four accumulators hide the latency of the adds.
  const [a, b, blocks] = [0, 1, 2];
  const [acc0, acc1, acc2, acc3] = [3, 4, 5, 6];
  const locals = vec([[...u32(4), V128]]);
  const lane = (k: number, acc: number): number[] => [...get(acc), ...get(a), ...v128Load(16 * k), ...get(b), ...v128Load(16 * k), ...f32x4Mul, ...f32x4Add, ...set(acc)];
  const code = [
    ...get(blocks), op.i32Eqz,
    op.if, VOID,
    op.else,
    op.loop, VOID,
    ...lane(0, acc0), ...lane(1, acc1), ...lane(2, acc2), ...lane(3, acc3),
    ...get(a), ...i32(64), op.i32Add, ...set(a),
    ...get(b), ...i32(64), op.i32Add, ...set(b),
    ...get(blocks), ...i32(-1), op.i32Add, op.tee, ...u32(blocks), op.brIf, 0,
    op.end,
    op.end,
    ...get(acc0), ...get(acc1), ...f32x4Add, ...get(acc2), ...get(acc3), ...f32x4Add, ...f32x4Add, op.tee, ...u32(acc0),
    ...f32x4Lane(0), ...get(acc0), ...f32x4Lane(1), op.f32Add, ...get(acc0), ...f32x4Lane(2), op.f32Add, ...get(acc0), ...f32x4Lane(3), op.f32Add,
    op.end,
  ];
  return [...locals, ...code];
}

function dot8Body(): number[] {
  // Parameters: a, b, blocks (of 16 int8 values). Each half is widened to i16 and multiplied pairwise
  // into i32 lanes (`i32x4.dot_i16x8_s`), which cannot overflow for 127 × 127 × 2 per lane and step.
  const [a, b, blocks] = [0, 1, 2];
  const [acc0, acc1, va, vb] = [3, 4, 5, 6];
  const locals = vec([[...u32(4), V128]]);
  const code = [
    ...get(blocks), op.i32Eqz,
    op.if, VOID,
    op.else,
    op.loop, VOID,
    ...get(a), ...v128Load(0), ...set(va),
    ...get(b), ...v128Load(0), ...set(vb),
    ...get(acc0), ...get(va), ...i16x8ExtendLow, ...get(vb), ...i16x8ExtendLow, ...i32x4Dot, ...i32x4Add, ...set(acc0),
    ...get(acc1), ...get(va), ...i16x8ExtendHigh, ...get(vb), ...i16x8ExtendHigh, ...i32x4Dot, ...i32x4Add, ...set(acc1),
    ...get(a), ...i32(16), op.i32Add, ...set(a),
    ...get(b), ...i32(16), op.i32Add, ...set(b),
    ...get(blocks), ...i32(-1), op.i32Add, op.tee, ...u32(blocks), op.brIf, 0,
    op.end,
    op.end,
    ...get(acc0), ...get(acc1), ...i32x4Add, op.tee, ...u32(acc0),
    ...i32x4Lane(0), ...get(acc0), ...i32x4Lane(1), op.i32Add, ...get(acc0), ...i32x4Lane(2), op.i32Add, ...get(acc0), ...i32x4Lane(3), op.i32Add,
    op.end,
  ];
  return [...locals, ...code];
}

/** The module's bytes; it imports `env.memory` (shared, at most `maximumPages` 64 KiB pages). */
export function denseKernelBytes(maximumPages: number): Uint8Array {
  const functionBody = (body: number[]): number[] => [...u32(body.length), ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    // types: 0 = hamming (9 × i32) → (), 1 = dot (3 × i32) → f32, 2 = dot8 (3 × i32) → i32
    ...section(1, vec([
      [0x60, ...vec(Array.from({ length: 9 }, () => [I32])), ...vec([])],
      [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F32]])],
      [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])],
    ])),
    // import env.memory: shared (flag 3), at least one page
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, ...u32(1), ...u32(maximumPages)]])),
    ...section(3, vec([[0], [1], [2]])),
    ...section(7, vec([
      [...name('hamming'), 0x00, 0],
      [...name('dot'), 0x00, 1],
      [...name('dot8'), 0x00, 2],
    ])),
    ...section(10, vec([functionBody(hammingBody()), functionBody(dotBody()), functionBody(dot8Body())])),
  ];
  return Uint8Array.from(bytes);
}

export interface DenseKernel {
  hamming(codes: number, groups: number, allowed: number, allowedLength: number, query: number, count: number, words: number, out: number, histogram: number): void;
  dot(a: number, b: number, blocks: number): number;
  dot8(a: number, b: number, blocks: number): number;
}

/**
 * The slice of the WebAssembly JS API used here. The project's `lib` (ES2023, no DOM) does not declare
 * it, though Node has it; declaring it locally keeps the global types untouched.
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
/** A compiled module (opaque; it can be posted to a worker). */
export interface WasmModule {
  readonly compiledKernel?: never;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A shared memory of one page, growable to `MAXIMUM_PAGES`. */
export function sharedMemory(): WasmMemory {
  return new wasm.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
}

/** 4 GiB, all of wasm32: a shared memory must declare its maximum, and only address space is reserved. */
export const MAXIMUM_PAGES = 65536;

let compiled: WasmModule | undefined;

/** Compiled once per thread; the module can also be posted to a worker. */
export function denseKernelModule(): WasmModule {
  compiled ??= new wasm.Module(denseKernelBytes(MAXIMUM_PAGES));
  return compiled;
}

export function instantiateDenseKernel(memory: WasmMemory, module = denseKernelModule()): DenseKernel {
  return new wasm.Instance(module, { env: { memory } }).exports as DenseKernel;
}
