import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { StorageSetupError } from '../storage-error.js';
import { GSI1 } from './keys.js';

const POLL_MS = 200;

function isReady(table: TableDescription | undefined): boolean {
  if (table?.TableStatus !== 'ACTIVE') return false;
  return (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
}

function hasOurShape(table: TableDescription): boolean {
  const keyNames = (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort();
  const gsi = table.GlobalSecondaryIndexes?.find((index) => index.IndexName === GSI1);
  const gsiNames = (gsi?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort();
  return keyNames.join() === 'pk:HASH,sk:RANGE' && gsiNames.join() === 'gsi1pk:HASH,gsi1sk:RANGE';
}

async function describe(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/** Creates the table when absent (racing replicas are fine) and waits until it and its index are usable. */
export async function ensureTable(client: DynamoDBClient, table: string, timeoutMs = 60_000): Promise<void> {
  let found = await describe(client, table);
  if (!found) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'gsi1pk', AttributeType: 'S' },
            { AttributeName: 'gsi1sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: GSI1,
              KeySchema: [
                { AttributeName: 'gsi1pk', KeyType: 'HASH' },
                { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    } catch (err) {
      // Another replica created it first: wait for theirs like for ours.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    found = await describe(client, table);
    if (found && !hasOurShape(found)) {
      throw new StorageSetupError(
        `DynamoDB table "${table}" exists with a different key schema (need pk/sk and GSI ${GSI1} on gsi1pk/gsi1sk); ` +
          'point SMOOTH_AGENT_DDB_TABLE at a new table name',
      );
    }
    if (isReady(found)) return;
    if (Date.now() > deadline) throw new StorageSetupError(`DynamoDB table "${table}" did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
