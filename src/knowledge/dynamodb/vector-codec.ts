/**
 * Vectors as DynamoDB binary attributes. Offline hashing embeddings fill a few dozen of 1024
 * dimensions, so those are stored sparse (index + value pairs, ~10× smaller: fewer read units and
 * faster partition loads); model embeddings are stored dense. Little-endian float32 either way.
 */
const DENSE = 0;
const SPARSE = 1;

export function encodeVector(vector: Float32Array): Uint8Array | undefined {
  let nonZero = 0;
  for (const x of vector) if (x !== 0) nonZero++;
  if (nonZero === 0) return undefined;
  if (nonZero * 8 < vector.length * 4) {
    const out = new DataView(new ArrayBuffer(1 + 4 + nonZero * 8));
    out.setUint8(0, SPARSE);
    out.setUint32(1, vector.length, true);
    let at = 5;
    vector.forEach((x, i) => {
      if (x === 0) return;
      out.setUint32(at, i, true);
      out.setFloat32(at + 4, x, true);
      at += 8;
    });
    return new Uint8Array(out.buffer);
  }
  const out = new DataView(new ArrayBuffer(1 + vector.length * 4));
  out.setUint8(0, DENSE);
  vector.forEach((x, i) => out.setFloat32(1 + i * 4, x, true));
  return new Uint8Array(out.buffer);
}

export function decodeVector(bytes: Uint8Array, dimensions: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(dimensions);
  if (view.getUint8(0) === SPARSE) {
    if (view.getUint32(1, true) !== dimensions) throw new Error(`stored vector has ${view.getUint32(1, true)} dims; expected ${dimensions}`);
    for (let at = 5; at + 8 <= bytes.byteLength; at += 8) vector[view.getUint32(at, true)] = view.getFloat32(at + 4, true);
    return vector;
  }
  if (bytes.byteLength !== 1 + dimensions * 4) throw new Error(`stored vector has ${(bytes.byteLength - 1) / 4} dims; expected ${dimensions}`);
  for (let i = 0; i < dimensions; i++) vector[i] = view.getFloat32(1 + i * 4, true);
  return vector;
}
