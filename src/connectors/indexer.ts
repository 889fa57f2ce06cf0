import { randomUUID } from 'node:crypto';
import type { Knowledge } from '../knowledge/index.js';
import type { Logger } from '../server/logger.js';
import type { IndexingRunStore } from './indexing-run-store.js';
import { openSource, type SourceEnvironment } from './open-source.js';
import type { Source, SourceDocument } from './source.js';
import type { Connector, IndexingRun } from './types.js';

/** Documents per upsert: big enough to batch the embedder's calls, small enough to bound memory. */
const BATCH_SIZE = 50;

export class ConnectorBusy extends Error {
  constructor(name: string) {
    super(`connector '${name}' is already indexing`);
    this.name = 'ConnectorBusy';
  }
}

export class ConnectorDisabled extends Error {
  constructor(name: string) {
    super(`connector '${name}' is disabled; enable it to index`);
    this.name = 'ConnectorDisabled';
  }
}

/** The run failed after it started; it is recorded as failed with `reason` in its `error`. */
export class IndexingFailed extends Error {
  constructor(
    readonly run: IndexingRun,
    readonly reason: string,
  ) {
    super(`indexing failed: ${reason}`);
    this.name = 'IndexingFailed';
  }
}

export interface IndexerOptions {
  knowledge: Knowledge;
  runs: IndexingRunStore;
  environment: SourceEnvironment;
  logger: Logger;
}

type Tally = Pick<IndexingRun, 'documentsSeen' | 'chunksIndexed' | 'documentsSkipped'>;

/**
 * Runs a connector once: resume from its cursor, pull, write to the knowledge base in batches, and
 * record the run (as running when it starts, then as succeeded or failed). Scheduling is the
 * caller's (an operator, cron); one connector runs at most once at a time in this process.
 */
export class Indexer {
  private readonly running = new Set<string>();

  constructor(private readonly options: IndexerOptions) {}

  async runOnce(connector: Connector): Promise<IndexingRun> {
    if (!connector.enabled) throw new ConnectorDisabled(connector.name);
    const key = `${connector.organizationId}\u0000${connector.id}`;
    if (this.running.has(key)) throw new ConnectorBusy(connector.name);
    // Before the run is recorded: a source that can't start (unset token) is a request problem, not a failed run.
    const source = openSource(connector, this.options.environment);
    this.running.add(key);
    try {
      return await this.run(connector, source);
    } finally {
      this.running.delete(key);
    }
  }

  /**
   * The cursor of the connector's newest succeeded run, unless the connector was edited since: the
   * old cursor may describe another path, site or repository, and resuming from it would skip documents.
   */
  private async resumeFrom(connector: Connector): Promise<string | null> {
    const last = await this.options.runs.lastSucceeded(connector.organizationId, connector.id);
    return last && last.startedAt >= connector.updatedAt ? last.cursor : null;
  }

  private async run(connector: Connector, source: Source): Promise<IndexingRun> {
    const { runs, environment } = this.options;
    const cursor = await this.resumeFrom(connector);
    const tally: Tally = { documentsSeen: 0, chunksIndexed: 0, documentsSkipped: 0 };
    const started: IndexingRun = {
      id: randomUUID(),
      organizationId: connector.organizationId,
      connectorId: connector.id,
      connectorName: connector.name,
      status: 'running',
      startedAt: environment.now().toISOString(),
      finishedAt: null,
      ...tally,
      cursor: null,
      error: null,
    };
    await runs.put(started);
    try {
      const next = await this.pull(connector, source, cursor, tally);
      return await runs.put({ ...started, ...tally, status: 'succeeded', finishedAt: environment.now().toISOString(), cursor: next });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // No cursor on failure: the next run resumes from the last good one and sees whatever this one missed.
      const failed = await runs.put({ ...started, ...tally, status: 'failed', finishedAt: environment.now().toISOString(), error: reason });
      this.options.logger.warn({ connector: connector.name, organizationId: connector.organizationId, runId: failed.id, err: reason }, 'indexing run failed');
      throw new IndexingFailed(failed, reason);
    }
  }

  private async pull(connector: Connector, source: Source, cursor: string | null, tally: Tally): Promise<string | null> {
    const { knowledge, logger } = this.options;
    const org = connector.organizationId;
    let batch: SourceDocument[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const stored = await knowledge.upsert(org, batch);
      batch = [];
      for (const document of stored) {
        if (document.outcome === 'unchanged') tally.documentsSkipped++;
        else tally.chunksIndexed += document.chunkCount;
      }
    };
    const items = source.pull(cursor);
    for (;;) {
      const step = await items.next();
      if (step.done) {
        await flush();
        return step.value;
      }
      const item = step.value;
      if (item.kind === 'deleted') {
        // Written first, so a path removed and re-added within one run ends up present.
        await flush();
        await knowledge.delete(org, item.id);
        continue;
      }
      tally.documentsSeen++;
      if (item.kind === 'document') {
        batch.push(item.document);
        if (batch.length >= BATCH_SIZE) await flush();
      } else {
        tally.documentsSkipped++;
        if (item.kind === 'skipped') logger.info({ connector: connector.name, source: item.source, reason: item.reason }, 'connector skipped a document');
      }
    }
  }
}
