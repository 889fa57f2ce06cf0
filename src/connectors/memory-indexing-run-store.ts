import type { IndexingRunStore, RunQuery } from './indexing-run-store.js';
import type { IndexingRun } from './types.js';

/** A scheduler calling every few minutes would otherwise grow the history without bound. */
const DEFAULT_MAX_RUNS_PER_ORG = 1000;

/** Process-memory run history, per organization, oldest first internally; the oldest runs are dropped past the cap. */
export class MemoryIndexingRunStore implements IndexingRunStore {
  private readonly byOrg = new Map<string, IndexingRun[]>();

  constructor(private readonly maxRunsPerOrg = DEFAULT_MAX_RUNS_PER_ORG) {}

  async put(run: IndexingRun): Promise<IndexingRun> {
    let runs = this.byOrg.get(run.organizationId);
    if (!runs) {
      runs = [];
      this.byOrg.set(run.organizationId, runs);
    }
    const at = runs.findIndex((r) => r.id === run.id);
    if (at >= 0) runs[at] = structuredClone(run);
    else {
      runs.push(structuredClone(run));
      // Runs arrive in start order almost always; keeping the array sorted makes `list` a reverse walk.
      runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
      if (runs.length > this.maxRunsPerOrg) runs.splice(0, runs.length - this.maxRunsPerOrg);
    }
    return structuredClone(run);
  }

  async list(organizationId: string, query: RunQuery = {}): Promise<IndexingRun[]> {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const found: IndexingRun[] = [];
    const runs = this.byOrg.get(organizationId) ?? [];
    for (let i = runs.length - 1; i >= 0 && found.length < limit; i--) {
      const run = runs[i]!;
      if (query.connectorId === undefined || run.connectorId === query.connectorId) found.push(structuredClone(run));
    }
    return found;
  }

  async lastSucceeded(organizationId: string, connectorId: string): Promise<IndexingRun | undefined> {
    const runs = this.byOrg.get(organizationId) ?? [];
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i]!;
      if (run.connectorId === connectorId && run.status === 'succeeded') return structuredClone(run);
    }
    return undefined;
  }
}
