import { assertMigrated, migrate } from '../../storage/sql/migrate.js';
import type { MigrationTrack } from '../../storage/sql/migrations.js';
import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import { StorageSetupError } from '../../storage/storage-error.js';
import type { InteractionStore, PendingInteraction } from './interaction-store.js';

/** Parked interactions have their own migration track, so their versions never collide with other stores'. */
export const INTERACTION_MIGRATIONS: MigrationTrack = {
  track: 'interactions',
  migrations: [
    {
      version: 1,
      name: 'pending interactions (one parked Rich Interaction per session, with its turn checkpoint)',
      statements: [
        // The record rides whole in `body` (spec and checkpoint included); the columns are for addressing.
        `CREATE TABLE pending_interactions (
          session_id text PRIMARY KEY,
          interaction_id text NOT NULL,
          body jsonb NOT NULL,
          expires_at timestamptz NOT NULL
        )`,
      ],
    },
  ],
};

interface Row {
  body: PendingInteraction | string;
}

const parse = (row: Row | undefined): PendingInteraction | undefined =>
  row && (typeof row.body === 'string' ? (JSON.parse(row.body) as PendingInteraction) : row.body);

export class SqlInteractionStore implements InteractionStore {
  private constructor(private readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<SqlInteractionStore> {
    try {
      if (schema === 'apply') await migrate(db, INTERACTION_MIGRATIONS);
      else await assertMigrated(db, INTERACTION_MIGRATIONS);
    } catch (err) {
      if (err instanceof StorageSetupError) throw err;
      throw new StorageSetupError(`${db.label}: interactions schema: ${(err as Error).message}`, { cause: err });
    }
    return new SqlInteractionStore(db);
  }

  async put(p: PendingInteraction): Promise<void> {
    await this.db.query(
      `INSERT INTO pending_interactions (session_id, interaction_id, body, expires_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (session_id) DO UPDATE SET interaction_id = EXCLUDED.interaction_id, body = EXCLUDED.body, expires_at = EXCLUDED.expires_at`,
      [p.sessionId, p.interactionId, JSON.stringify(p), p.expiresAt],
    );
  }

  async get(sessionId: string): Promise<PendingInteraction | undefined> {
    const [row] = await this.db.query<Row>('SELECT body FROM pending_interactions WHERE session_id = $1', [sessionId]);
    return parse(row);
  }

  async take(sessionId: string, interactionId?: string): Promise<PendingInteraction | undefined> {
    // One statement: of two concurrent deletes of the row only one returns it.
    const [row] = await this.db.query<Row>(
      `DELETE FROM pending_interactions WHERE session_id = $1 AND ($2::text IS NULL OR interaction_id = $2) RETURNING body`,
      [sessionId, interactionId ?? null],
    );
    return parse(row);
  }
}
