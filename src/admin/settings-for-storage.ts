import { SqlStorage } from '../storage/sql/sql-storage.js';
import type { Storage } from '../storage/storage.js';
import { MemorySettingsStore, type SettingsStore } from './settings-store.js';

/** Agent settings follow the storage backend: SQL table, the DynamoDB table, or process memory. */
export async function settingsForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<SettingsStore> {
  if (storage instanceof SqlStorage) {
    const { SqlSettingsStore } = await import('./settings-sql.js');
    return SqlSettingsStore.open(storage.database, schema);
  }
  // Checked by shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoSettingsStore } = await import('./settings-dynamodb.js');
      return new DynamoSettingsStore(storage.tableAccess);
    }
  }
  return new MemorySettingsStore();
}
