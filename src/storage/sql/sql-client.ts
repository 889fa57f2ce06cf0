/** A positional parameter: what both `pg` and PGlite accept without driver-specific coercion. */
export type SqlParam = string | number | boolean | null;

/** The one operation the SQL storage needs: run a statement, get its rows. */
export interface SqlExecutor {
  /**
   * `statement` names a statement the caller runs often with the same text: a backend that supports
   * it (Postgres) prepares it once per connection instead of parsing and planning it every time.
   * Only for statements whose result columns are listed explicitly (a `SELECT *` would break when a
   * migration adds a column under a running replica).
   */
  query<Row extends object>(text: string, params?: readonly SqlParam[], statement?: string): Promise<Row[]>;
}

/**
 * A database the SQL storage runs on: Postgres through a pool, or PGlite in process. Both speak the
 * same SQL, so the schema, migrations and queries are written once.
 */
export interface SqlDatabase extends SqlExecutor {
  /** What this is, for logs (never includes a password). */
  readonly label: string;
  /**
   * Runs `work` on one connection while holding the database-wide migration lock, so replicas booting
   * together apply each migration exactly once. `work` gets a transaction helper on that connection.
   */
  withMigrationLock<T>(work: (db: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it
   * throws. For writes that span several statements (a document and its chunks).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One connection: statements run in order, and `transaction` groups them atomically. */
export interface SqlSession extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
