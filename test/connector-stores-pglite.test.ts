import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorStoresForStorage } from '../src/connectors/stores-for-storage.js';
import type { Connector, IndexingRun } from '../src/connectors/index.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { PgliteDatabase } from '../src/storage/sql/pglite-database.js';
import { runSqlConnectorStoreCases } from './connector-stores-sql-cases.js';

const root = mkdtempSync(join(tmpdir(), 'so-connectors-pglite-'));
const opened: PgliteDatabase[] = [];
let db: PgliteDatabase;
beforeAll(async () => {
  // No vector extension: these tables need none, and the WASM heap is smaller without it.
  db = await PgliteDatabase.open(join(root, 'contract'));
  opened.push(db);
}, 60_000);
afterAll(async () => {
  for (const d of opened) await d.close();
  rmSync(root, { recursive: true, force: true });
});

let fresh = 0;
runSqlConnectorStoreCases(
  'pglite',
  () => db,
  async () => {
    const d = await PgliteDatabase.open(join(root, `fresh-${fresh++}`));
    opened.push(d);
    return d;
  },
);

describe('pglite connector stores on the storage', () => {
  it('share the storage database and keep connectors and runs across a reopen', async () => {
    const dataDir = join(root, 'storage');
    const connector: Connector = { id: 'c1', organizationId: 'org-1', name: 'handbook', kind: 'file', config: { path: '/srv/kb' }, enabled: true, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    const run: IndexingRun = {
      id: 'r1',
      organizationId: 'org-1',
      connectorId: 'c1',
      connectorName: 'handbook',
      status: 'succeeded',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:00:02.000Z',
      documentsSeen: 6,
      chunksIndexed: 9,
      documentsSkipped: 0,
      cursor: '2025-12-31T00:00:00.000Z',
      error: null,
    };
    const first = await PgliteStorage.open({ dataDir, extensions: {} });
    try {
      const stores = await connectorStoresForStorage(first, 'apply');
      await stores.connectors.put(connector);
      await stores.runs.put(run);
    } finally {
      await first.close();
    }
    const second = await PgliteStorage.open({ dataDir, extensions: {}, schema: 'verify' });
    try {
      const stores = await connectorStoresForStorage(second, 'verify');
      expect(await stores.connectors.list('org-1')).toEqual([connector]);
      expect(await stores.runs.list('org-1')).toEqual([run]);
      expect(await stores.runs.lastSucceeded('org-1', 'c1')).toEqual(run);
    } finally {
      await second.close();
    }
  }, 60_000);
});
