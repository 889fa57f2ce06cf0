export type { Storage } from './storage.js';
export type * from './types.js';
export { MemoryStorage } from './memory-storage.js';
// The durable backends are loaded on demand by openStorage (their drivers cost ~250 ms to import),
// so only their types are re-exported here.
export type { PgliteStorage, PgliteStorageOptions } from './pglite-storage.js';
export type { PostgresStorage, PostgresStorageOptions } from './postgres-storage.js';
export type { DynamoStorage, DynamoStorageOptions } from './dynamodb/dynamo-storage.js';
export { openStorage, migrateStorage } from './open-storage.js';
export type { OpenedStorage, OpenStorageOptions, StorageSelection } from './open-storage.js';
export { StorageSetupError } from './storage-error.js';
export type { MigrationReport } from './sql/migrate.js';
export { redactUrl } from './redact-url.js';
