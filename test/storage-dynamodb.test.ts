import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { runStorageContract } from './contracts/storage-contract.js';
import { DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo } from './storage-services.js';

const local = await startDynalite();
afterAll(async () => {
  if (!('unavailable' in local)) await local.close();
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  const { endpoint } = local as LocalDynamo;
  const open = (table: string) => DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
  const table = `so-contract-${randomUUID()}`;
  runStorageContract('dynamodb', () => open(table), { durable: true, shared: true });

  describe('dynamodb table', () => {
    it('is created with the single-table key design when absent, by racing replicas without error', async () => {
      const name = `so-race-${randomUUID()}`;
      const replicas = await Promise.all([open(name), open(name), open(name)]);
      for (const r of replicas) await r.close();
      const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        expect(Table?.TableStatus).toBe('ACTIVE');
        expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(['pk', 'sk']);
        expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['gsi1']);
      } finally {
        client.destroy();
      }
    });

    it('completes a conversation whose creator died between the idempotency claim and the record', async () => {
      const storage = await open(table);
      try {
        const base = { platform: 'web' as const, name: 'n', organizationId: `org-${randomUUID()}`, idempotencyKey: 'half', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
        // Simulate the crash: write only the claim, as the first step of createConversation would.
        const orphanId = randomUUID();
        const raw = storage as unknown as { putIfAbsent(item: Record<string, unknown>): Promise<boolean> };
        expect(await raw.putIfAbsent({ pk: `ORG#${base.organizationId}`, sk: 'IDEM#half', entity: 'idempotency', conversationId: orphanId })).toBe(true);
        const created = await storage.createConversation({ ...base, id: randomUUID() });
        expect(created.id).toBe(orphanId);
        expect(await storage.getConversation(orphanId)).toEqual(created);
      } finally {
        await storage.close();
      }
    });
  });
});
