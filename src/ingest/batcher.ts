import type { LoadedDocument } from './types.js';

/**
 * The admin API reads at most 8 MiB per request; batches stay well under so the JSON envelope
 * and any multi-byte characters never tip one over.
 */
export const MAX_BATCH_BYTES = 7 * 1024 * 1024;

export function encodedSize(document: LoadedDocument): number {
  return Buffer.byteLength(JSON.stringify(document));
}

/** Groups documents into requests of at most `batchSize` documents and `MAX_BATCH_BYTES` bytes. */
export class Batcher {
  private pending: LoadedDocument[] = [];
  private pendingBytes = 0;

  constructor(private readonly batchSize: number) {}

  /** Adds a document; returns the batch that must be sent first when this one doesn't fit. */
  add(document: LoadedDocument, size = encodedSize(document)): LoadedDocument[] | undefined {
    let full: LoadedDocument[] | undefined;
    if (this.pending.length > 0 && this.pendingBytes + size > MAX_BATCH_BYTES) full = this.take();
    this.pending.push(document);
    this.pendingBytes += size;
    if (!full && this.pending.length >= this.batchSize) full = this.take();
    return full;
  }

  /** Whatever is left, at the end of the run. */
  take(): LoadedDocument[] {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return batch;
  }
}
