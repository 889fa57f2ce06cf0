import { AdminApiError, type StoredSummary } from './admin-client.js';
import { reasonOf } from './reason.js';
import type { LoadedDocument } from './types.js';

export interface BatchOutcome {
  stored: Array<{ document: LoadedDocument; chunks: number }>;
  failed: Array<{ document: LoadedDocument; reason: string }>;
  /** Set when the server can't take anything more (unreachable, bad token): the run should stop. */
  fatal?: string;
}

type Upsert = (documents: readonly LoadedDocument[]) => Promise<StoredSummary[]>;

/**
 * Sends one batch. When the server rejects the batch as a whole for its content (400, 413), each
 * document is retried alone so that one bad document fails by itself instead of taking 49 with it.
 */
export async function sendBatch(upsert: Upsert, batch: readonly LoadedDocument[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { stored: [], failed: [] };
  try {
    const stored = await upsert(batch);
    const chunksById = new Map(stored.map((s) => [s.id, s.chunks]));
    for (const document of batch) outcome.stored.push({ document, chunks: chunksById.get(document.id) ?? 0 });
    return outcome;
  } catch (err) {
    const fatal = err instanceof AdminApiError && err.fatal;
    const perDocument = err instanceof AdminApiError && (err.status === 400 || err.status === 413);
    if (fatal || !perDocument || batch.length === 1) {
      for (const document of batch) outcome.failed.push({ document, reason: reasonOf(err) });
      if (fatal) outcome.fatal = reasonOf(err);
      return outcome;
    }
  }
  for (const document of batch) {
    const single = await sendBatch(upsert, [document]);
    outcome.stored.push(...single.stored);
    outcome.failed.push(...single.failed);
    if (single.fatal !== undefined) {
      outcome.fatal = single.fatal;
      const rest = batch.slice(batch.indexOf(document) + 1);
      for (const skipped of rest) outcome.failed.push({ document: skipped, reason: single.fatal });
      break;
    }
  }
  return outcome;
}
