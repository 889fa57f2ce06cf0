import { afterAll, describe, expect, it } from 'vitest';
import { ConnectorNameTaken, type Connector } from '../src/connectors/index.js';
import { CONNECTOR_MIGRATIONS, prepareConnectorSchema } from '../src/connectors/sql/connector-schema.js';
import { connectorStoresForStorage } from '../src/connectors/stores-for-storage.js';
import { PgDatabase } from '../src/storage/sql/pg-database.js';
import { PostgresStorage } from '../src/storage/postgres-storage.js';
import { runSqlConnectorStoreCases } from './connector-stores-sql-cases.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';

const contractDb = await createTestDatabase();
const databases: TestDatabase[] = [];
const pools: PgDatabase[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.close();
  for (const db of databases) await db.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const created = await createTestDatabase();
  if ('unavailable' in created) throw new Error(created.unavailable);
  databases.push(created);
  return created;
}

function pool(url: string, max = 4): PgDatabase {
  const db = new PgDatabase({ connectionString: url, max });
  pools.push(db);
  return db;
}

whenAvailable('postgres', 'unavailable' in contractDb ? contractDb.unavailable : undefined, () => {
  const target = contractDb as TestDatabase;
  databases.push(target);
  const shared = pool(target.url);
  runSqlConnectorStoreCases('postgres', () => shared, async () => pool((await freshDatabase()).url));

  describe('postgres connector stores across replicas', () => {
    it('replicas migrating at once apply the connectors track exactly once', async () => {
      const url = (await freshDatabase()).url;
      await Promise.all([1, 2, 3].map(() => prepareConnectorSchema(pool(url, 2), 'apply')));
      const ledger = await pool(url, 1).query<{ version: number }>('SELECT version FROM schema_migrations WHERE track = $1', [CONNECTOR_MIGRATIONS.track]);
      expect(ledger.map((r) => Number(r.version))).toEqual([1]);
    });

    it('two storages on one database see the same connectors and runs, and one name stays unique across them', async () => {
      const url = (await freshDatabase()).url;
      const a = await PostgresStorage.open({ connectionString: url, poolMax: 2 });
      const b = await PostgresStorage.open({ connectionString: url, poolMax: 2 });
      try {
        const [onA, onB] = [await connectorStoresForStorage(a, 'apply'), await connectorStoresForStorage(b, 'apply')];
        const make = (id: string): Connector => ({ id, organizationId: 'org-1', name: 'site', kind: 'web', config: { url: `https://${id}.example/` }, enabled: true, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
        const outcomes = await Promise.allSettled([onA.connectors.put(make('x')), onB.connectors.put(make('y'))]);
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
        const lost = outcomes.find((o) => o.status === 'rejected');
        expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(ConnectorNameTaken);
        expect(await onB.connectors.list('org-1')).toEqual(await onA.connectors.list('org-1'));
        const run = { id: 'r1', organizationId: 'org-1', connectorId: 'x', connectorName: 'site', status: 'succeeded' as const, startedAt: '2026-01-01T00:00:01.000Z', finishedAt: null, documentsSeen: 1, chunksIndexed: 1, documentsSkipped: 0, cursor: 'c', error: null };
        await onA.runs.put(run);
        expect(await onB.runs.lastSucceeded('org-1', 'x')).toEqual(run);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});
