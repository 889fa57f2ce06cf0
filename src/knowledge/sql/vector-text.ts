/**
 * pgvector's text form of a vector, `[x1,x2,…]`, or null for a zero vector: cosine distance to it is
 * undefined (NaN), and it is similar to nothing, so it is stored as "no embedding".
 */
export function vectorText(vector: Float32Array): string | null {
  let nonZero = false;
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    if (!Number.isFinite(x)) throw new Error(`embedding has a non-finite value at dimension ${i}`);
    if (x !== 0) nonZero = true;
    parts[i] = x === 0 ? '0' : String(x);
  }
  return nonZero ? `[${parts.join(',')}]` : null;
}
