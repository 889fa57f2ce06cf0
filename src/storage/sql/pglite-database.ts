import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import type { SqlDatabase, SqlExecutor, SqlParam, SqlSession } from './sql-client.js';

function executor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row extends object>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      return (await db.query<Row>(text, [...params])).rows;
    },
  };
}

/** Embedded Postgres (WASM) in this process, persisted to a directory. */
export class PgliteDatabase implements SqlDatabase {
  readonly label: string;

  private constructor(
    private readonly db: PGlite,
    dataDir: string,
  ) {
    this.label = `pglite ${dataDir}`;
  }

  /** `extensions` is where the knowledge store loads pgvector (`vector` from `@electric-sql/pglite-pgvector`). */
  static async open(dataDir: string, options: Pick<PGliteOptions, 'extensions'> = {}): Promise<PgliteDatabase> {
    return new PgliteDatabase(await PGlite.create(dataDir, options), dataDir);
  }

  query<Row extends object>(text: string, params?: readonly SqlParam[]): Promise<Row[]> {
    return executor(this.db).query<Row>(text, params);
  }

  /** PGlite serves one process (enforced by the data-dir lock), so there is no one to race: no lock needed. */
  async withMigrationLock<T>(work: (db: SqlSession) => Promise<T>): Promise<T> {
    const db = this.db;
    return work({
      query: executor(db).query,
      transaction: <R>(inner: (tx: SqlExecutor) => Promise<R>) => db.transaction((tx) => inner(executor(tx))),
    });
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(executor(tx)));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
