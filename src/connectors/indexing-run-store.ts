import type { IndexingRun } from './types.js';

export interface RunQuery {
  connectorId?: string;
  /** Newest this many; implementations may cap it. */
  limit?: number;
}

/**
 * The record of indexing runs, per organization. A durable backend is an `indexing_runs` table (or
 * items) keyed by `(organization_id, id)` with an index on `(organization_id, connector_id,
 * started_at DESC)`, which serves both reads below. Every implementation must pass
 * test/contracts/connector-store-contract.ts.
 */
export interface IndexingRunStore {
  /** Inserts or replaces by `(organizationId, id)`: a run is written when it starts and again when it ends. */
  put(run: IndexingRun): Promise<IndexingRun>;
  /** Newest first (by `startedAt`, then by insertion). */
  list(organizationId: string, query?: RunQuery): Promise<IndexingRun[]>;
  /** The connector's newest succeeded run: where its next run resumes. */
  lastSucceeded(organizationId: string, connectorId: string): Promise<IndexingRun | undefined>;
}
