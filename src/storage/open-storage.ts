import type { Config } from '../config/index.js';
import { MemoryStorage } from './memory-storage.js';
import { redactUrl } from './redact-url.js';
import type { MigrationReport } from './sql/migrate.js';
import type { Storage } from './storage.js';

/** The part of the configuration that chooses and reaches the backend. */
export type StorageSelection = Pick<Config, 'storage' | 'dataDir' | 'databaseUrl' | 'dbPoolMax' | 'autoMigrate' | 'dynamodb'>;

export interface OpenedStorage {
  storage: Storage;
  /** Where the data lives, safe to log (no password). */
  description: string;
  /** SQL backends: what opening did to the schema (absent when auto-migration is off, or not SQL). */
  migration?: MigrationReport;
}

export interface OpenStorageOptions {
  /** Reports a failed idle pooled connection (Postgres); the pool recovers by itself. */
  onIdleError?: (err: Error) => void;
}

function describe(selection: StorageSelection): string {
  switch (selection.storage) {
    case 'memory':
      return 'memory (lost on exit)';
    case 'pglite':
      return `pglite ${selection.dataDir}`;
    case 'postgres':
      return `postgres ${redactUrl(selection.databaseUrl ?? '')}`;
    case 'dynamodb':
      return `dynamodb table ${selection.dynamodb.table}${selection.dynamodb.endpoint ? ` at ${selection.dynamodb.endpoint}` : ''}`;
  }
}

/**
 * Opens the backend configuration chose: connects, and creates or migrates its schema (or table).
 * Drivers are imported here, on demand, so a memory-backed server never pays for them.
 */
export async function openStorage(selection: StorageSelection, options: OpenStorageOptions = {}): Promise<OpenedStorage> {
  const schema = selection.autoMigrate ? 'apply' : 'verify';
  const description = describe(selection);
  switch (selection.storage) {
    case 'memory':
      return { storage: new MemoryStorage(), description };
    case 'pglite': {
      const { PgliteStorage } = await import('./pglite-storage.js');
      const storage = await PgliteStorage.open({ dataDir: selection.dataDir, schema });
      return { storage, description, ...(storage.migration ? { migration: storage.migration } : {}) };
    }
    case 'postgres': {
      if (!selection.databaseUrl) throw new Error('postgres storage selected without a database URL');
      const { PostgresStorage } = await import('./postgres-storage.js');
      const storage = await PostgresStorage.open({
        connectionString: selection.databaseUrl,
        poolMax: selection.dbPoolMax,
        schema,
        ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
      });
      return { storage, description, ...(storage.migration ? { migration: storage.migration } : {}) };
    }
    case 'dynamodb': {
      const { DynamoStorage } = await import('./dynamodb/dynamo-storage.js');
      const { table, region, endpoint } = selection.dynamodb;
      const storage = await DynamoStorage.open({ table, ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) });
      return { storage, description };
    }
  }
}

/**
 * `smooth-operator migrate`: brings the schema up to date (SQL) or creates the table (DynamoDB),
 * then closes. Memory has nothing to migrate.
 */
export async function migrateStorage(
  selection: StorageSelection,
  /** Prepares the schema of stores that share the storage's database (knowledge, settings) before it closes. */
  prepare?: (storage: Storage) => Promise<void>,
): Promise<OpenedStorage> {
  const opened = await openStorage({ ...selection, autoMigrate: true });
  try {
    await prepare?.(opened.storage);
  } finally {
    await opened.storage.close();
  }
  return opened;
}
