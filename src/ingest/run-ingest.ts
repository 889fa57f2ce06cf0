import { chunkText } from '../knowledge/index.js';
import type { StoredSummary } from './admin-client.js';
import { Batcher, encodedSize, MAX_BATCH_BYTES } from './batcher.js';
import { collect, type CollectOptions } from './collect.js';
import { place, type Placement } from './documents.js';
import { emptyTally, type IngestProgress, type ProgressEvent, type Tally } from './progress.js';
import { sendBatch } from './send-batch.js';
import type { IngestItem, LoadedDocument } from './types.js';

export interface IngestRun extends CollectOptions {
  sources: readonly string[];
  placement: Placement;
  batchSize: number;
  /** Absent for a dry run: documents are loaded and counted, nothing is sent. */
  upsert?: (documents: readonly LoadedDocument[]) => Promise<StoredSummary[]>;
}

export interface IngestResult extends Tally {
  /** Why the run stopped early, when the server could take nothing more. */
  aborted?: string;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Loads every source, uploads in batches while loading goes on, and counts what happened. Nothing
 * here throws for a bad file, page or batch: each is counted as failed with a reason.
 */
export async function runIngest(run: IngestRun, progress: IngestProgress): Promise<IngestResult> {
  const tally = emptyTally();
  const emit = (event: ProgressEvent) => progress.report(event, tally);
  const fail = (source: string, reason: string) => {
    tally.failed++;
    emit({ type: 'failed', source, reason });
  };
  const batcher = new Batcher(run.batchSize);
  const seen = new Map<string, string>();
  let aborted: string | undefined;

  const send = async (batch: LoadedDocument[]) => {
    if (batch.length === 0 || !run.upsert) return;
    const outcome = await sendBatch(run.upsert, batch);
    const chunks = outcome.stored.reduce((sum, s) => sum + s.chunks, 0);
    tally.documents += outcome.stored.length;
    tally.chunks += chunks;
    if (outcome.stored.length > 0) emit({ type: 'sent', documents: outcome.stored.length, chunks });
    for (const { document, reason } of outcome.failed) fail(document.source, reason);
    aborted ??= outcome.fatal;
  };

  const accept = async (loaded: LoadedDocument) => {
    const firstSource = seen.get(loaded.id);
    if (firstSource !== undefined) {
      tally.skipped++;
      emit({ type: 'skipped', source: loaded.source, reason: `same id as ${firstSource}, already loaded` });
      return;
    }
    seen.set(loaded.id, loaded.source);
    const document = place(loaded, run.placement);
    const size = encodedSize(document);
    if (size > MAX_BATCH_BYTES) {
      fail(document.source, `${(size / 1024 / 1024).toFixed(1)} MiB of text is more than one admin API request may carry`);
      return;
    }
    emit({ type: 'loaded', source: document.source });
    if (!run.upsert) {
      const chunks = chunkText(document.content).length;
      tally.documents++;
      tally.chunks += chunks;
      progress.print(`${document.id}\t${count(chunks, 'chunk')}\t${document.title ?? ''}`);
      return;
    }
    const full = batcher.add(document, size);
    if (full) await send(full);
  };

  const handle = async (item: IngestItem) => {
    // A path that doesn't exist fails without ever having been found; the bar must not run past its end.
    if (item.kind === 'skipped' || item.kind === 'failed' || item.kind === 'document') {
      tally.processed++;
      tally.discovered = Math.max(tally.discovered, tally.processed);
    }
    switch (item.kind) {
      case 'discovered':
        tally.discovered += item.count;
        return emit({ type: 'discovered' });
      case 'note':
        return emit({ type: 'note', message: item.message });
      case 'skipped':
        tally.skipped++;
        return emit({ type: 'skipped', source: item.source, reason: item.reason });
      case 'failed':
        return fail(item.source, item.reason);
      case 'document':
        return accept(item.document);
    }
  };

  try {
    for await (const item of collect(run.sources, run)) {
      await handle(item);
      if (aborted !== undefined) break;
    }
    if (aborted === undefined) await send(batcher.take());
    if (aborted !== undefined) {
      // Loaded but never sent: they failed for the same reason the run stopped.
      for (const document of batcher.take()) fail(document.source, aborted);
      emit({ type: 'note', message: `stopped early: ${aborted}` });
    }
  } finally {
    progress.stop();
  }
  return { ...tally, ...(aborted !== undefined ? { aborted } : {}) };
}

export function summaryLine(result: IngestResult, dryRun: boolean): string {
  const counts = `${count(result.documents, 'document')} (${count(result.chunks, 'chunk')}), skipped ${result.skipped}, failed ${result.failed}`;
  return dryRun ? `dry run: would ingest ${counts}` : `ingested ${counts}`;
}
