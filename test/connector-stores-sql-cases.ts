import { describe, expect, it } from 'vitest';
import { ConnectorNameTaken, type Connector, type IndexingRun } from '../src/connectors/index.js';
import { CONNECTOR_MIGRATIONS, prepareConnectorSchema } from '../src/connectors/sql/connector-schema.js';
import { openSqlConnectorStores } from '../src/connectors/sql/sql-connector-stores.js';
import type { SqlDatabase } from '../src/storage/sql/sql-client.js';
import { StorageSetupError } from '../src/storage/storage-error.js';
import { runConnectorStoreContract } from './contracts/connector-store-contract.js';

/** The stores on `db`, migrated, with both tables emptied: every contract test starts from nothing. */
export async function freshSqlConnectorStores(db: SqlDatabase) {
  const stores = await openSqlConnectorStores(db);
  await db.query('TRUNCATE connector_configs, indexing_runs');
  return stores;
}

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

function run(id: string, startedAt: string, status: IndexingRun['status'] = 'succeeded'): IndexingRun {
  return {
    id,
    organizationId: 'org-1',
    connectorId: 'c1',
    connectorName: 'docs',
    status,
    startedAt,
    finishedAt: null,
    documentsSeen: 0,
    chunksIndexed: 0,
    documentsSkipped: 0,
    cursor: null,
    error: null,
  };
}

/** The contract plus what only SQL has: the migration track, racing writers on a real pool. */
export function runSqlConnectorStoreCases(name: string, database: () => SqlDatabase, freshDatabase: () => Promise<SqlDatabase>): void {
  runConnectorStoreContract(name, () => freshSqlConnectorStores(database()));

  describe(`sql connector stores: ${name}`, () => {
    it('lets exactly one of several concurrent puts take a name', async () => {
      const { connectors } = await freshSqlConnectorStores(database());
      const make = (id: string): Connector => ({ id, organizationId: 'org-1', name: 'docs', kind: 'file', config: { path: `/srv/${id}` }, enabled: true, createdAt: at(0), updatedAt: at(0) });
      const outcomes = await Promise.allSettled(['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => connectors.put(make(id))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConnectorNameTaken);
      expect(await connectors.list('org-1')).toHaveLength(1);
    });

    it('keeps every kind of config whole, and frees a name on rename', async () => {
      const { connectors } = await freshSqlConnectorStores(database());
      const github: Connector = {
        id: 'g',
        organizationId: 'org-1',
        name: 'repo',
        kind: 'github',
        config: { owner: 'acme', repo: 'docs', ref: 'main', visibility: 'private', auth_ref: 'GH_TOKEN', issues: true, documentSets: ['eng'] },
        enabled: true,
        createdAt: at(1),
        updatedAt: at(2),
      };
      const file: Connector = { ...github, id: 'f', name: 'files', kind: 'file', config: { path: '/srv/kb', include: ['**/*.md'], acl: { public: false, users: ['u'], groups: ['g'] } } };
      await connectors.put(github);
      await connectors.put(file);
      expect(await connectors.get('org-1', 'g')).toEqual(github);
      expect(await connectors.get('org-1', 'f')).toEqual(file);
      await connectors.put({ ...github, name: 'renamed' });
      await connectors.put({ ...file, id: 'f2', name: 'repo' });
      expect((await connectors.list('org-1')).map((c) => c.name)).toEqual(['files', 'renamed', 'repo']);
    });

    it('orders runs that started at the same instant by insertion, and a replaced run keeps its place', async () => {
      const { runs } = await freshSqlConnectorStores(database());
      for (const id of ['a', 'b', 'c']) await runs.put(run(id, at(5), 'running'));
      await runs.put(run('a', at(5), 'succeeded'));
      expect((await runs.list('org-1')).map((r) => r.id)).toEqual(['c', 'b', 'a']);
      expect(await runs.lastSucceeded('org-1', 'c1')).toMatchObject({ id: 'a' });
      expect((await runs.list('org-1', { connectorId: 'c1', limit: 2 })).map((r) => r.id)).toEqual(['c', 'b']);
    });

    it('migrates its own track once; verify mode on a database without it says to run migrate', async () => {
      const db = await freshDatabase();
      await expect(prepareConnectorSchema(db, 'verify')).rejects.toThrow(StorageSetupError);
      await expect(prepareConnectorSchema(db, 'verify')).rejects.toThrow(/connectors migration\(s\) 1.*smooth-operator migrate/);
      await prepareConnectorSchema(db, 'apply');
      await prepareConnectorSchema(db, 'apply');
      await prepareConnectorSchema(db, 'verify');
      const ledger = await db.query<{ track: string; version: number }>("SELECT track, version FROM schema_migrations WHERE track = 'connectors'");
      expect(ledger.map((r) => [r.track, Number(r.version)])).toEqual([[CONNECTOR_MIGRATIONS.track, 1]]);
    });
  });
}
