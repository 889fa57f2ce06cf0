import type { SqlDatabase } from '../../storage/sql/sql-client.js';

/** Re-analyze once this many chunks were written, or a fifth of the table if that is more. */
const MIN_CHANGED = 1000;
const CHANGED_SHARE = 0.2;

/**
 * Keeps the planner's row counts for the knowledge tables current. The dense arm's plan choice (HNSW
 * for a large organization, an exact scan of its own chunks for a small one) rests on them, and
 * PGlite has no autovacuum to gather them: without this, every organization looks small. On a
 * Postgres server autovacuum does the same; an extra ANALYZE after a bulk ingest is harmless.
 */
export class TableStatistics {
  private changed = 0;
  private known = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** At open: analyzes tables that hold rows but were never analyzed (e.g. a PGlite directory). */
  async refreshIfNeverAnalyzed(): Promise<void> {
    const [row] = await this.db.query<{ reltuples: number }>("SELECT reltuples FROM pg_class WHERE oid = 'knowledge_chunks'::regclass");
    this.known = Math.max(0, Number(row?.reltuples ?? 0));
    if (Number(row?.reltuples ?? 0) < 0) await this.analyze();
  }

  /** Counts written chunks; past the threshold, analyzes in the background (searches do not wait). */
  wrote(chunks: number): void {
    this.changed += chunks;
    if (this.running || this.changed < Math.max(MIN_CHANGED, this.known * CHANGED_SHARE)) return;
    this.running = this.analyze()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
  }

  private async analyze(): Promise<void> {
    this.changed = 0;
    await this.db.query('ANALYZE knowledge_documents, knowledge_chunks');
    const [row] = await this.db.query<{ reltuples: number }>("SELECT reltuples FROM pg_class WHERE oid = 'knowledge_chunks'::regclass");
    this.known = Math.max(0, Number(row?.reltuples ?? 0));
  }
}
