import { StorageSetupError } from '../storage-error.js';
import { assertMigrated, migrate, type MigrationReport } from './migrate.js';
import type { SqlDatabase } from './sql-client.js';

/** `apply`: migrate at boot (under the lock). `verify`: refuse to start on an old schema. */
export type SchemaMode = 'apply' | 'verify';

/** Brings the schema up to date (or checks it), turning driver errors into one that names the database. */
export async function prepareSchema(db: SqlDatabase, mode: SchemaMode): Promise<MigrationReport | undefined> {
  try {
    if (mode === 'verify') {
      await assertMigrated(db);
      return undefined;
    }
    return await migrate(db);
  } catch (err) {
    if (err instanceof StorageSetupError) throw err;
    throw new StorageSetupError(`${db.label}: ${(err as Error).message}`, { cause: err });
  }
}
