import type { PGliteOptions } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { join, resolve } from 'node:path';
import { DataDirLock } from './data-dir-lock.js';
import type { MigrationReport } from './sql/migrate.js';
import { PgliteDatabase } from './sql/pglite-database.js';
import { prepareSchema, type SchemaMode } from './sql/prepare-schema.js';
import { SqlStorage } from './sql/sql-storage.js';

export interface PgliteStorageOptions {
  /** Directory holding everything this server keeps on disk; the database lives in `<dataDir>/pglite`. */
  dataDir: string;
  /** `apply` runs pending migrations (the default); `verify` only checks and fails with what to do. */
  schema?: SchemaMode;
  /** PGlite extensions to load; default `vector` (pgvector), which the knowledge store on this database needs. */
  extensions?: PGliteOptions['extensions'];
}

/** Durable storage with no services: embedded Postgres (PGlite) in this process. */
export class PgliteStorage extends SqlStorage {
  private constructor(
    db: PgliteDatabase,
    private readonly lock: DataDirLock,
    /** What opening did to the schema; undefined when it only verified. */
    readonly migration: MigrationReport | undefined,
  ) {
    super(db);
  }

  static async open(options: PgliteStorageOptions): Promise<PgliteStorage> {
    const dataDir = resolve(options.dataDir);
    // Creates the directory too; a path that cannot be one is a StorageSetupError, not a stack trace.
    const lock = DataDirLock.acquire(dataDir);
    let db: PgliteDatabase | undefined;
    try {
      db = await PgliteDatabase.open(join(dataDir, 'pglite'), { extensions: options.extensions ?? { vector } });
      const report = await prepareSchema(db, options.schema ?? 'apply');
      return new PgliteStorage(db, lock, report);
    } catch (err) {
      await db?.close().catch(() => undefined);
      lock.release();
      throw err;
    }
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      this.lock.release();
    }
  }
}
