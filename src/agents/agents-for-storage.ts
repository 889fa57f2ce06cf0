import { SqlStorage } from '../storage/sql/sql-storage.js';
import type { Storage } from '../storage/storage.js';
import { MemoryAgentStore, type AgentStore } from './agent-store.js';

/** Agents follow the storage backend: SQL table, the DynamoDB table, or process memory. */
export async function agentsForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<AgentStore> {
  if (storage instanceof SqlStorage) {
    const { SqlAgentStore } = await import('./agent-store-sql.js');
    return SqlAgentStore.open(storage.database, schema);
  }
  // Checked by shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoAgentStore } = await import('./agent-store-dynamodb.js');
      return new DynamoAgentStore(storage.tableAccess);
    }
  }
  return new MemoryAgentStore();
}
