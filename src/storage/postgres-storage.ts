import type { MigrationReport } from './sql/migrate.js';
import { PgDatabase } from './sql/pg-database.js';
import { prepareSchema, type SchemaMode } from './sql/prepare-schema.js';
import { SqlStorage } from './sql/sql-storage.js';

export interface PostgresStorageOptions {
  connectionString: string;
  /** Connections this process may hold. */
  poolMax?: number;
  /** `apply` runs pending migrations under an advisory lock (the default); `verify` only checks. */
  schema?: SchemaMode;
  onIdleError?: (err: Error) => void;
}

/** Storage on a Postgres server: the backend for several replicas sharing sessions. */
export class PostgresStorage extends SqlStorage {
  private constructor(
    db: PgDatabase,
    /** What opening did to the schema; undefined when it only verified. */
    readonly migration: MigrationReport | undefined,
  ) {
    super(db);
  }

  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const db = new PgDatabase({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
    });
    try {
      return new PostgresStorage(db, await prepareSchema(db, options.schema ?? 'apply'));
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
}
