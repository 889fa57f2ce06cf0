import { SqlStorage } from '../../storage/sql/sql-storage.js';
import type { Storage } from '../../storage/storage.js';
import { MemoryInteractionStore, type InteractionStore } from './interaction-store.js';

/** Parked interactions follow the storage backend: SQL table, the DynamoDB table, or process memory. */
export async function interactionsForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<InteractionStore> {
  if (storage instanceof SqlStorage) {
    const { SqlInteractionStore } = await import('./interaction-store-sql.js');
    return SqlInteractionStore.open(storage.database, schema);
  }
  // Checked by shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoInteractionStore } = await import('./interaction-store-dynamodb.js');
      return new DynamoInteractionStore(storage.tableAccess);
    }
  }
  return new MemoryInteractionStore();
}
