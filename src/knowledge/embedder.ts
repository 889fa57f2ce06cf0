/**
 * Turns text into vectors for the dense retrieval arm. Stored vectors are only comparable with query
 * vectors from the same model at the same width, which is why `id` and `dimensions` are part of the seam.
 */
export interface Embedder {
  /** Stable name of the vector space, e.g. `deterministic-v1` or `gateway:text-embedding-3-small`. */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per input, in input order, each `dimensions` long. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** The vector space an index was built in. */
export interface EmbeddingSpace {
  embedderId: string;
  dimensions: number;
}

export function embeddingSpaceOf(embedder: Embedder): EmbeddingSpace {
  return { embedderId: embedder.id, dimensions: embedder.dimensions };
}

/**
 * Raised when stored vectors and the configured embedder disagree. Querying anyway would silently rank
 * by noise, so the store refuses until the operator re-indexes or restores the original embedder.
 */
export class EmbedderMismatchError extends Error {
  override readonly name = 'EmbedderMismatchError';

  constructor(
    readonly stored: EmbeddingSpace,
    readonly configured: EmbeddingSpace,
  ) {
    super(
      `knowledge store was built with ${stored.embedderId} (${stored.dimensions} dims); ` +
        `configured embedder is ${configured.embedderId} (${configured.dimensions} dims): re-index or switch back`,
    );
  }
}

/** Throws `EmbedderMismatchError` unless `embedder` produces vectors in the `stored` space. */
export function assertSameEmbeddingSpace(stored: EmbeddingSpace | undefined, embedder: Embedder): void {
  if (!stored) return;
  const configured = embeddingSpaceOf(embedder);
  if (stored.embedderId !== configured.embedderId || stored.dimensions !== configured.dimensions) {
    throw new EmbedderMismatchError(stored, configured);
  }
}

/** Guards against an embedder that answers with the wrong count or width, which would corrupt the index. */
export function checkEmbeddings(embedder: Embedder, inputs: number, vectors: Float32Array[]): Float32Array[] {
  if (vectors.length !== inputs) {
    throw new Error(`embedder ${embedder.id} returned ${vectors.length} vectors for ${inputs} inputs`);
  }
  for (const v of vectors) {
    if (v.length !== embedder.dimensions) {
      throw new Error(`embedder ${embedder.id} returned a ${v.length}-dim vector; expected ${embedder.dimensions}`);
    }
  }
  return vectors;
}
