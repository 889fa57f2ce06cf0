import { StorageSetupError } from '../storage-error.js';
import { CORE_MIGRATIONS, type Migration, type MigrationTrack } from './migrations.js';
import type { SqlDatabase, SqlExecutor } from './sql-client.js';

export interface MigrationReport {
  /** Versions this call applied, in order (empty when the schema was already current). */
  applied: number[];
  /** The highest version in the database afterwards. */
  current: number;
  /** The newest version this build knows. */
  latest: number;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  track text NOT NULL,
  version integer NOT NULL,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (track, version)
)`;

async function appliedVersions(db: SqlExecutor, track: string): Promise<Set<number>> {
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations WHERE track = $1', [track]);
  return new Set(rows.map((r) => Number(r.version)));
}

function latestOf(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * Applies every migration the database lacks, each in its own transaction, under the migration lock.
 * Forward-only: there are no down migrations; a database ahead of this build is left alone.
 */
export async function migrate(database: SqlDatabase, set: MigrationTrack = CORE_MIGRATIONS): Promise<MigrationReport> {
  const { track, migrations } = set;
  return database.withMigrationLock(async (db) => {
    await db.query(LEDGER);
    const done = await appliedVersions(db, track);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await db.transaction(async (tx) => {
        for (const statement of migration.statements) await tx.query(statement);
        await tx.query('INSERT INTO schema_migrations (track, version, name) VALUES ($1, $2, $3)', [track, migration.version, migration.name]);
      });
      applied.push(migration.version);
      done.add(migration.version);
    }
    return { applied, current: Math.max(0, ...done), latest: latestOf(migrations) };
  });
}

/** For boots with auto-migration off: fails with what to do when the schema is behind this build. */
export async function assertMigrated(database: SqlDatabase, set: MigrationTrack = CORE_MIGRATIONS): Promise<void> {
  const { track, migrations } = set;
  const [ledger] = await database.query<{ present: string | null }>(`SELECT to_regclass('schema_migrations')::text AS present`);
  const done = ledger?.present ? await appliedVersions(database, track) : new Set<number>();
  const missing = migrations.filter((m) => !done.has(m.version)).map((m) => m.version);
  if (missing.length > 0) {
    throw new StorageSetupError(
      `${database.label}: schema is missing ${track} migration(s) ${missing.join(', ')}; run \`smooth-operator migrate\` ` +
        'or unset SMOOTH_AGENT_AUTO_MIGRATE=0 so the server applies them at boot',
    );
  }
}
