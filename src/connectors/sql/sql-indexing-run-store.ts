import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import type { IndexingRunStore, RunQuery } from '../indexing-run-store.js';
import type { IndexingRun } from '../types.js';
import { toRun, type RunRow } from './connector-rows.js';

/** A listing without a limit stops here, as the memory store keeps no more than this per organization. */
export const MAX_RUNS_LISTED = 1000;

/** Indexing runs on Postgres or PGlite (`indexing_runs`, see connector-schema.ts). */
export class SqlIndexingRunStore implements IndexingRunStore {
  constructor(private readonly db: SqlDatabase) {}

  async put(run: IndexingRun): Promise<IndexingRun> {
    // seq is left alone on replace: a run keeps its place among runs that started at the same instant.
    const [row] = await this.db.query<RunRow>(
      `INSERT INTO indexing_runs (organization_id, id, connector_id, connector_name, status, started_at, finished_at,
                                  documents_seen, chunks_indexed, documents_skipped, cursor, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (organization_id, id) DO UPDATE SET
         connector_id = EXCLUDED.connector_id, connector_name = EXCLUDED.connector_name, status = EXCLUDED.status,
         started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, documents_seen = EXCLUDED.documents_seen,
         chunks_indexed = EXCLUDED.chunks_indexed, documents_skipped = EXCLUDED.documents_skipped,
         cursor = EXCLUDED.cursor, error = EXCLUDED.error
       RETURNING *`,
      [
        run.organizationId,
        run.id,
        run.connectorId,
        run.connectorName,
        run.status,
        run.startedAt,
        run.finishedAt,
        run.documentsSeen,
        run.chunksIndexed,
        run.documentsSkipped,
        run.cursor,
        run.error,
      ],
    );
    return toRun(row!);
  }

  async list(organizationId: string, query: RunQuery = {}): Promise<IndexingRun[]> {
    const limit = Math.min(query.limit ?? MAX_RUNS_LISTED, MAX_RUNS_LISTED);
    const rows = await this.db.query<RunRow>(
      `SELECT * FROM indexing_runs
       WHERE organization_id = $1 AND ($2::text IS NULL OR connector_id = $2)
       ORDER BY started_at DESC, seq DESC
       LIMIT $3`,
      [organizationId, query.connectorId ?? null, limit],
    );
    return rows.map(toRun);
  }

  async lastSucceeded(organizationId: string, connectorId: string): Promise<IndexingRun | undefined> {
    const [row] = await this.db.query<RunRow>(
      `SELECT * FROM indexing_runs
       WHERE organization_id = $1 AND connector_id = $2 AND status = 'succeeded'
       ORDER BY started_at DESC, seq DESC
       LIMIT 1`,
      [organizationId, connectorId],
    );
    return row && toRun(row);
  }
}
