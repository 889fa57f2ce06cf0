import { assertMigrated, migrate } from '../../storage/sql/migrate.js';
import type { MigrationTrack } from '../../storage/sql/migrations.js';
import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import { StorageSetupError } from '../../storage/storage-error.js';

/**
 * Connector configs and indexing runs have a migration track of their own, so their versions never
 * collide with the core, knowledge or settings tracks sharing the database and its ledger.
 * Append-only: a released migration is never edited.
 */
export const CONNECTOR_MIGRATIONS: MigrationTrack = {
  track: 'connectors',
  migrations: [
    {
      version: 1,
      name: 'connector configs and indexing runs per organization',
      statements: [
        // The named unique constraint is how a put learns that another connector holds the name:
        // the check and the write are one statement, so two replicas cannot both take it.
        `CREATE TABLE connector_configs (
          organization_id text NOT NULL,
          id text NOT NULL,
          name text NOT NULL,
          kind text NOT NULL,
          config jsonb NOT NULL,
          enabled boolean NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (organization_id, id),
          CONSTRAINT connector_configs_org_name UNIQUE (organization_id, name)
        )`,
        // Runs are keyed by connector id, not name: a deleted connector's history never blends into a
        // new one that reuses its name. seq breaks started_at ties in insertion order.
        `CREATE TABLE indexing_runs (
          organization_id text NOT NULL,
          id text NOT NULL,
          seq bigserial NOT NULL,
          connector_id text NOT NULL,
          connector_name text NOT NULL,
          status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
          started_at timestamptz NOT NULL,
          finished_at timestamptz,
          documents_seen integer NOT NULL,
          chunks_indexed integer NOT NULL,
          documents_skipped integer NOT NULL,
          cursor text,
          error text,
          PRIMARY KEY (organization_id, id)
        )`,
        `CREATE INDEX indexing_runs_org_started ON indexing_runs (organization_id, started_at DESC, seq DESC)`,
        `CREATE INDEX indexing_runs_connector_started ON indexing_runs (organization_id, connector_id, started_at DESC, seq DESC)`,
      ],
    },
  ],
};

/** `apply` migrates the `connectors` track (under the storage's migration lock); `verify` only checks it is current. */
export async function prepareConnectorSchema(db: SqlDatabase, schema: 'apply' | 'verify'): Promise<void> {
  try {
    if (schema === 'apply') await migrate(db, CONNECTOR_MIGRATIONS);
    else await assertMigrated(db, CONNECTOR_MIGRATIONS);
  } catch (err) {
    if (err instanceof StorageSetupError) throw err;
    throw new StorageSetupError(`${db.label}: connector schema: ${(err as Error).message}`, { cause: err });
  }
}
