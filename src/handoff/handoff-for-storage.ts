import { SqlStorage } from '../storage/sql/sql-storage.js';
import type { Storage } from '../storage/storage.js';
import { MemoryHandoffStore, type HandoffStore } from './handoff-store.js';

/** Handoff state lives where the storage does: its SQL database, its DynamoDB table, or process memory. */
export async function handoffStoreForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<HandoffStore> {
  if (storage instanceof SqlStorage) {
    const { SqlHandoffStore } = await import('./handoff-sql.js');
    return SqlHandoffStore.open(storage.database, schema);
  }
  // By shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoHandoffStore } = await import('./handoff-dynamodb.js');
      return new DynamoHandoffStore(storage.tableAccess);
    }
  }
  return new MemoryHandoffStore();
}
