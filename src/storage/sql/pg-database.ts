import pg from 'pg';
import { redactUrl } from '../redact-url.js';
import type { SqlDatabase, SqlExecutor, SqlParam, SqlSession } from './sql-client.js';

/** "smooth" in ASCII: an arbitrary but recognisable key in pg_locks. */
export const MIGRATION_LOCK_KEY = 0x736d6f6f7468;

export interface PgDatabaseOptions {
  connectionString: string;
  /** Pool size; each replica holds at most this many connections. */
  max: number;
  /** Called when an idle pooled connection fails (e.g. the server restarted); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

function executor(client: pg.ClientBase): SqlExecutor {
  return {
    async query<Row extends object>(text: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      return (await client.query<Row>(text, [...params])).rows;
    },
  };
}

function session(client: pg.ClientBase): SqlSession {
  const exec = executor(client);
  return {
    query: exec.query,
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      await client.query('BEGIN');
      try {
        const result = await work(exec);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
  };
}

/** A Postgres server reached through a `pg` pool. */
export class PgDatabase implements SqlDatabase {
  readonly label: string;
  private readonly pool: pg.Pool;

  constructor(options: PgDatabaseOptions) {
    this.label = `postgres ${redactUrl(options.connectionString)}`;
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.max });
    // Without a listener an idle client's error would crash the process.
    this.pool.on('error', (err) => options.onIdleError?.(err));
  }

  async query<Row extends object>(text: string, params: readonly SqlParam[] = [], statement?: string): Promise<Row[]> {
    if (statement !== undefined) return (await this.pool.query<Row>({ name: `so_${statement}`, text, values: [...params] })).rows;
    return (await this.pool.query<Row>(text, [...params])).rows;
  }

  async withMigrationLock<T>(work: (db: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      // Session-level lock on this one connection: a second replica blocks here until the first is done.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        return await work(session(client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
          // The lock dies with the connection, so a connection we cannot unlock must not go back to the pool.
          broken = true;
        });
      }
    } finally {
      client.release(broken);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await session(client).transaction(work);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
