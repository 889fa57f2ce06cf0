import { PutCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { GSI1 } from '../../storage/dynamodb/keys.js';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import type { IndexingRunStore, RunQuery } from '../indexing-run-store.js';
import type { IndexingRun } from '../types.js';
import { runKeys } from './connector-keys.js';
import { bodyOf, queryItems } from './query-items.js';

/** A listing without a limit stops here, as the memory store keeps no more than this per organization. */
const MAX_RUNS_LISTED = 1000;
/** Items read per request while looking for the newest succeeded run among failed and running ones. */
const SUCCEEDED_PAGE = 25;

/**
 * Indexing runs in the storage's DynamoDB table, in their connector's partition (connector-keys.ts).
 * A run is addressed by its connector and start time as well as its id; both are fixed when the run
 * is first written (the Indexer writes a run when it starts and again, whole, when it ends), so a
 * put with the same id replaces it.
 */
export class DynamoIndexingRunStore implements IndexingRunStore {
  constructor(private readonly access: DynamoTableAccess) {}

  async put(run: IndexingRun): Promise<IndexingRun> {
    const record = structuredClone(run);
    await this.access.doc.send(
      new PutCommand({
        TableName: this.access.table,
        Item: { ...runKeys.run(run.organizationId, run.connectorId, run.startedAt, run.id), entity: 'indexing-run', status: run.status, body: JSON.stringify(record) },
      }),
    );
    return structuredClone(record);
  }

  async list(organizationId: string, query: RunQuery = {}): Promise<IndexingRun[]> {
    const limit = Math.min(query.limit ?? MAX_RUNS_LISTED, MAX_RUNS_LISTED);
    const input: QueryCommandInput =
      query.connectorId === undefined
        ? // Organization-wide: through the GSI, which may trail a just-written run by a moment.
          {
            TableName: this.access.table,
            IndexName: GSI1,
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
            ExpressionAttributeValues: { ':pk': runKeys.organizationIndex(organizationId), ':prefix': runKeys.prefix },
          }
        : {
            TableName: this.access.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': runKeys.connectorPartition(organizationId, query.connectorId), ':prefix': runKeys.prefix },
            ConsistentRead: true,
          };
    const runs: IndexingRun[] = [];
    if (limit <= 0) return runs;
    for await (const item of queryItems(this.access.doc, { ...input, ScanIndexForward: false, Limit: limit })) {
      const run = bodyOf<IndexingRun>(item);
      if (run) runs.push(run);
      if (runs.length >= limit) break;
    }
    return runs;
  }

  async lastSucceeded(organizationId: string, connectorId: string): Promise<IndexingRun | undefined> {
    const newestFirst = queryItems(this.access.doc, {
      TableName: this.access.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#status = :succeeded',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': runKeys.connectorPartition(organizationId, connectorId), ':prefix': runKeys.prefix, ':succeeded': 'succeeded' },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: SUCCEEDED_PAGE,
    });
    for await (const item of newestFirst) return bodyOf<IndexingRun>(item);
    return undefined;
  }
}
