import { SqlStorage } from '../storage/sql/sql-storage.js';
import type { Storage } from '../storage/storage.js';
import type { ConnectorStore } from './connector-store.js';
import type { IndexingRunStore } from './indexing-run-store.js';
import { MemoryConnectorStore } from './memory-connector-store.js';
import { MemoryIndexingRunStore } from './memory-indexing-run-store.js';

export interface ConnectorStores {
  connectors: ConnectorStore;
  runs: IndexingRunStore;
}

/**
 * Connector configs and indexing runs follow the storage backend, on its own handle: SQL tables on
 * its database (Postgres pool or PGlite instance), items in its DynamoDB table, or process memory.
 * `schema` is the storage's mode: `apply` migrates the `connectors` track, `verify` only checks it.
 */
export async function connectorStoresForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<ConnectorStores> {
  if (storage instanceof SqlStorage) {
    const { openSqlConnectorStores } = await import('./sql/sql-connector-stores.js');
    return openSqlConnectorStores(storage.database, schema);
  }
  // Checked by shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { dynamoConnectorStores } = await import('./dynamodb/dynamo-connector-stores.js');
      return dynamoConnectorStores(storage.tableAccess);
    }
  }
  return { connectors: new MemoryConnectorStore(), runs: new MemoryIndexingRunStore() };
}
