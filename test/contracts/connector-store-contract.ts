import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorNameTaken, type Connector, type ConnectorStore, type IndexingRun, type IndexingRunStore } from '../../src/connectors/index.js';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function connector(organizationId: string, id: string, name: string): Connector {
  return { id, organizationId, name, kind: 'web', config: { url: 'https://help.example.com/' }, enabled: true, createdAt: at(0), updatedAt: at(0) };
}

function run(organizationId: string, id: string, connectorId: string, startedAt: string, status: IndexingRun['status']): IndexingRun {
  return {
    id,
    organizationId,
    connectorId,
    connectorName: connectorId,
    status,
    startedAt,
    finishedAt: status === 'running' ? null : startedAt,
    documentsSeen: 1,
    chunksIndexed: 2,
    documentsSkipped: 0,
    cursor: status === 'succeeded' ? `cursor-${id}` : null,
    error: status === 'failed' ? 'boom' : null,
  };
}

/** The behaviour every ConnectorStore / IndexingRunStore pair must have (memory now; SQL and DynamoDB later). */
export function runConnectorStoreContract(name: string, make: () => Promise<{ connectors: ConnectorStore; runs: IndexingRunStore }>): void {
  describe(`connector store contract: ${name}`, () => {
    let connectors: ConnectorStore;
    let runs: IndexingRunStore;
    beforeEach(async () => {
      ({ connectors, runs } = await make());
    });

    it('stores, replaces, lists by name and deletes connectors per organization', async () => {
      await connectors.put(connector('org-1', 'c2', 'zeta'));
      await connectors.put(connector('org-1', 'c1', 'alpha'));
      await connectors.put(connector('org-2', 'c1', 'alpha'));
      expect((await connectors.list('org-1')).map((c) => c.name)).toEqual(['alpha', 'zeta']);
      await connectors.put({ ...connector('org-1', 'c1', 'beta'), enabled: false });
      expect(await connectors.get('org-1', 'c1')).toMatchObject({ name: 'beta', enabled: false });
      expect(await connectors.get('org-2', 'c1')).toMatchObject({ name: 'alpha', enabled: true });
      expect(await connectors.get('org-3', 'c1')).toBeUndefined();
      expect(await connectors.delete('org-2', 'c2')).toBe(false);
      expect(await connectors.delete('org-1', 'c2')).toBe(true);
      expect((await connectors.list('org-1')).map((c) => c.id)).toEqual(['c1']);
      expect(await connectors.list('org-2')).toHaveLength(1);
    });

    it('refuses a second connector with the same name in one organization only', async () => {
      await connectors.put(connector('org-1', 'c1', 'docs'));
      await expect(connectors.put(connector('org-1', 'c2', 'docs'))).rejects.toBeInstanceOf(ConnectorNameTaken);
      await connectors.put(connector('org-2', 'c2', 'docs'));
      // Replacing a connector under its own name is not a clash.
      await connectors.put({ ...connector('org-1', 'c1', 'docs'), enabled: false });
    });

    it('returns copies, so a caller mutating a result changes nothing stored', async () => {
      const stored = await connectors.put(connector('org-1', 'c1', 'docs'));
      stored.name = 'changed';
      const read = await connectors.get('org-1', 'c1');
      if (read?.kind === 'web') read.config.url = 'https://elsewhere.example/';
      expect(await connectors.get('org-1', 'c1')).toMatchObject({ name: 'docs', config: { url: 'https://help.example.com/' } });
    });

    it('lists runs newest first, filtered by connector and limited, and replaces a run by id', async () => {
      await runs.put(run('org-1', 'r1', 'c1', at(1), 'succeeded'));
      await runs.put(run('org-1', 'r2', 'c2', at(2), 'failed'));
      await runs.put(run('org-1', 'r3', 'c1', at(3), 'running'));
      await runs.put(run('org-2', 'r9', 'c1', at(4), 'succeeded'));
      expect((await runs.list('org-1')).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
      expect((await runs.list('org-1', { connectorId: 'c1' })).map((r) => r.id)).toEqual(['r3', 'r1']);
      expect((await runs.list('org-1', { limit: 1 })).map((r) => r.id)).toEqual(['r3']);
      await runs.put({ ...run('org-1', 'r3', 'c1', at(3), 'succeeded') });
      expect(await runs.list('org-1')).toHaveLength(3);
      expect((await runs.list('org-1'))[0]).toMatchObject({ id: 'r3', status: 'succeeded', cursor: 'cursor-r3' });
      expect((await runs.list('org-2')).map((r) => r.id)).toEqual(['r9']);
    });

    it("finds a connector's newest succeeded run, never another organization's", async () => {
      expect(await runs.lastSucceeded('org-1', 'c1')).toBeUndefined();
      await runs.put(run('org-1', 'r1', 'c1', at(1), 'succeeded'));
      await runs.put(run('org-1', 'r2', 'c1', at(2), 'failed'));
      await runs.put(run('org-1', 'r3', 'c2', at(3), 'succeeded'));
      await runs.put(run('org-2', 'r4', 'c1', at(4), 'succeeded'));
      expect(await runs.lastSucceeded('org-1', 'c1')).toMatchObject({ id: 'r1', cursor: 'cursor-r1' });
      expect(await runs.lastSucceeded('org-2', 'c1')).toMatchObject({ id: 'r4' });
    });
  });
}
