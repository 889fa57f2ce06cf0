import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import { DynamoConnectorStore } from './dynamo-connector-store.js';
import { DynamoIndexingRunStore } from './dynamo-indexing-run-store.js';

/** Both connector stores in the storage's own table (already created by the storage: nothing to migrate). */
export function dynamoConnectorStores(access: DynamoTableAccess): { connectors: DynamoConnectorStore; runs: DynamoIndexingRunStore } {
  return { connectors: new DynamoConnectorStore(access), runs: new DynamoIndexingRunStore(access) };
}
