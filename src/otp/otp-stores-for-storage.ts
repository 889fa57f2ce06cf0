import { SqlStorage } from '../storage/sql/sql-storage.js';
import type { Storage } from '../storage/storage.js';
import { MemoryOtpStore, type OtpStore } from './otp-store.js';

/** OTP state follows the storage backend: SQL tables, the DynamoDB table, or process memory. */
export async function otpStoreForStorage(storage: Storage, schema: 'apply' | 'verify'): Promise<OtpStore> {
  if (storage instanceof SqlStorage) {
    const { SqlOtpStore } = await import('./otp-store-sql.js');
    return SqlOtpStore.open(storage.database, schema);
  }
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoOtpStore } = await import('./otp-store-dynamodb.js');
      return new DynamoOtpStore(storage.tableAccess);
    }
  }
  return new MemoryOtpStore();
}
