import { describe, expect, it } from 'vitest';
import { runConnectorStoreContract } from '../../test/contracts/connector-store-contract.js';
import type { IndexingRun } from './types.js';
import { MemoryConnectorStore } from './memory-connector-store.js';
import { MemoryIndexingRunStore } from './memory-indexing-run-store.js';

runConnectorStoreContract('memory', async () => ({ connectors: new MemoryConnectorStore(), runs: new MemoryIndexingRunStore() }));

describe('MemoryIndexingRunStore', () => {
  it('keeps only the newest runs per organization past its cap', async () => {
    const runs = new MemoryIndexingRunStore(3);
    for (let i = 0; i < 5; i++) {
      const run: IndexingRun = {
        id: `r${i}`,
        organizationId: 'org-1',
        connectorId: 'c',
        connectorName: 'c',
        status: 'succeeded',
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        finishedAt: null,
        documentsSeen: 0,
        chunksIndexed: 0,
        documentsSkipped: 0,
        cursor: null,
        error: null,
      };
      await runs.put(run);
    }
    expect((await runs.list('org-1')).map((r) => r.id)).toEqual(['r4', 'r3', 'r2']);
  });
});
