import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectorNameTaken, type Connector, type IndexingRun } from '../src/connectors/index.js';
import { connectorStoresForStorage } from '../src/connectors/stores-for-storage.js';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { runConnectorStoreContract } from './contracts/connector-store-contract.js';
import { DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo } from './storage-services.js';

const local = await startDynalite();
const storages: DynamoStorage[] = [];
afterAll(async () => {
  for (const s of storages) await s.close();
  if (!('unavailable' in local)) await local.close();
});

const connector = (id: string, name: string, organizationId = 'org-1'): Connector => ({
  id,
  organizationId,
  name,
  kind: 'web',
  config: { url: `https://${id}.example/` },
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  const { endpoint } = local as LocalDynamo;
  /** A storage on a table of its own: the contract's fixed organization ids then start from nothing. */
  async function open(table = `so-connectors-${randomUUID()}`): Promise<DynamoStorage> {
    const storage = await DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
    storages.push(storage);
    return storage;
  }
  const stores = async (storage?: DynamoStorage) => connectorStoresForStorage(storage ?? (await open()), 'apply');

  runConnectorStoreContract('dynamodb', () => stores());

  describe('dynamodb connector stores', () => {
    it('lets exactly one of several concurrent puts, from two storages on one table, take a name', async () => {
      const table = `so-connectors-${randomUUID()}`;
      const [a, b] = [await stores(await open(table)), await stores(await open(table))];
      const outcomes = await Promise.allSettled(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id, i) => (i % 2 ? a : b).connectors.put(connector(id, 'docs'))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConnectorNameTaken);
      expect(await a.connectors.list('org-1')).toHaveLength(1);
      expect(await b.connectors.list('org-1')).toEqual(await a.connectors.list('org-1'));
    });

    it('frees the old name on rename and on delete', async () => {
      const { connectors } = await stores();
      await connectors.put(connector('c1', 'old'));
      await connectors.put(connector('c1', 'new'));
      await connectors.put(connector('c2', 'old'));
      expect(await connectors.delete('org-1', 'c1')).toBe(true);
      await connectors.put(connector('c3', 'new'));
      expect((await connectors.list('org-1')).map((c) => `${c.name}:${c.id}`)).toEqual(['new:c3', 'old:c2']);
    });

    it('recovers a name whose claim outlived its connector (a writer that died between its writes)', async () => {
      const storage = await open();
      const { doc, table } = storage.tableAccess;
      const { connectors } = await stores(storage);
      // A claim for a connector that was never written, and one whose holder has been renamed since.
      await doc.send(new PutCommand({ TableName: table, Item: { pk: 'ORG#org-1', sk: 'CONNECTOR_NAME#ghost', entity: 'connector-name', connectorId: 'dead' } }));
      await connectors.put(connector('c1', 'stale'));
      await doc.send(new PutCommand({ TableName: table, Item: { pk: 'ORG#org-1', sk: 'CONNECTOR#c1', entity: 'connector', name: 'moved', body: JSON.stringify(connector('c1', 'moved')) } }));
      await connectors.put(connector('c9', 'ghost'));
      await connectors.put(connector('c8', 'stale'));
      expect((await connectors.list('org-1')).map((c) => `${c.name}:${c.id}`)).toEqual(['ghost:c9', 'stale:c8']);
    });

    it('never shows a connector whose name another connector holds', async () => {
      const storage = await open();
      const { doc, table } = storage.tableAccess;
      const { connectors } = await stores(storage);
      await connectors.put(connector('winner', 'docs'));
      // What a writer that lost the claim while writing leaves if it dies before undoing its write.
      await doc.send(new PutCommand({ TableName: table, Item: { pk: 'ORG#org-1', sk: 'CONNECTOR#loser', entity: 'connector', name: 'docs', body: JSON.stringify(connector('loser', 'docs')) } }));
      expect((await connectors.list('org-1')).map((c) => c.id)).toEqual(['winner']);
      expect(await connectors.get('org-1', 'loser')).toBeUndefined();
      await expect(connectors.put(connector('other', 'docs'))).rejects.toBeInstanceOf(ConnectorNameTaken);
    });

    it('undoes its write and fails when its claim is taken over before it finishes', async () => {
      const storage = await open();
      const { doc, table } = storage.tableAccess;
      const { connectors } = await stores(storage);
      await connectors.put(connector('c1', 'before'));
      // Another writer takes the name right after this put's claim, as if this put had stalled there.
      const send = doc.send.bind(doc);
      let stolen = false;
      const spy = async (command: Parameters<typeof doc.send>[0]) => {
        const result = await send(command);
        const sk = (command.input as { Item?: { sk?: string } }).Item?.sk;
        if (!stolen && command instanceof PutCommand && sk === 'CONNECTOR_NAME#after') {
          stolen = true;
          await send(new PutCommand({ TableName: table, Item: { pk: 'ORG#org-1', sk: 'CONNECTOR_NAME#after', entity: 'connector-name', connectorId: 'c2' } }));
          await send(new PutCommand({ TableName: table, Item: { pk: 'ORG#org-1', sk: 'CONNECTOR#c2', entity: 'connector', name: 'after', body: JSON.stringify(connector('c2', 'after')) } }));
        }
        return result;
      };
      (doc as unknown as { send: typeof spy }).send = spy;
      try {
        await expect(connectors.put(connector('c1', 'after'))).rejects.toBeInstanceOf(ConnectorNameTaken);
      } finally {
        (doc as unknown as { send: typeof send }).send = send;
      }
      expect((await connectors.list('org-1')).map((c) => `${c.name}:${c.id}`)).toEqual(['after:c2', 'before:c1']);
    });

    it("keys runs by connector id: a recreated connector's name does not inherit the old history", async () => {
      const { connectors, runs } = await stores();
      const run = (id: string, connectorId: string, second: number): IndexingRun => ({
        id,
        organizationId: 'org-1',
        connectorId,
        connectorName: 'docs',
        status: 'succeeded',
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
        finishedAt: null,
        documentsSeen: 0,
        chunksIndexed: 0,
        documentsSkipped: 0,
        cursor: `cursor-${id}`,
        error: null,
      });
      await connectors.put(connector('old', 'docs'));
      await runs.put(run('r1', 'old', 1));
      await connectors.delete('org-1', 'old');
      await connectors.put(connector('new', 'docs'));
      expect(await runs.lastSucceeded('org-1', 'new')).toBeUndefined();
      await runs.put(run('r2', 'new', 2));
      expect((await runs.list('org-1')).map((r) => r.id)).toEqual(['r2', 'r1']);
      expect((await runs.list('org-1', { connectorId: 'new' })).map((r) => r.id)).toEqual(['r2']);
    });

    it('finds the newest succeeded run behind more failed ones than one page holds', async () => {
      const { runs } = await stores();
      const base: IndexingRun = { id: 'ok', organizationId: 'org-1', connectorId: 'c', connectorName: 'c', status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, documentsSeen: 0, chunksIndexed: 0, documentsSkipped: 0, cursor: 'here', error: null };
      await runs.put(base);
      for (let i = 1; i <= 60; i++) await runs.put({ ...base, id: `f${i}`, status: 'failed', cursor: null, error: 'boom', startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      expect(await runs.lastSucceeded('org-1', 'c')).toMatchObject({ id: 'ok', cursor: 'here' });
      expect(await runs.list('org-1', { limit: 3 })).toHaveLength(3);
    });
  });
});

