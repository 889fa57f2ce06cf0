import { assertMigrated, migrate } from '../storage/sql/migrate.js';
import type { MigrationTrack } from '../storage/sql/migrations.js';
import type { SqlDatabase } from '../storage/sql/sql-client.js';
import { StorageSetupError } from '../storage/storage-error.js';
import type { HandoffStore } from './handoff-store.js';
import type { HandoffRecord, HandoffState, Operator, PresenceRecord, TurnNote } from './types.js';

/** Handoff state gets its own migration track, independent of the core and the other stores. */
export const HANDOFF_MIGRATIONS: MigrationTrack = {
  track: 'handoff',
  migrations: [
    {
      version: 1,
      name: 'handoff state per conversation, operator presence, and what each AI answer used',
      statements: [
        `CREATE TABLE handoffs (
          organization_id text NOT NULL,
          conversation_id text NOT NULL,
          state text NOT NULL,
          version integer NOT NULL,
          body jsonb NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (organization_id, conversation_id)
        )`,
        'CREATE INDEX handoffs_by_state ON handoffs (organization_id, state)',
        `CREATE TABLE operator_presence (
          organization_id text NOT NULL,
          operator_id text NOT NULL,
          name text NOT NULL,
          seen_at timestamptz NOT NULL,
          PRIMARY KEY (organization_id, operator_id)
        )`,
        `CREATE TABLE handoff_sessions (
          organization_id text NOT NULL,
          conversation_id text NOT NULL,
          session_id text NOT NULL,
          PRIMARY KEY (organization_id, conversation_id)
        )`,
        `CREATE TABLE turn_notes (
          organization_id text NOT NULL,
          conversation_id text NOT NULL,
          message_id text NOT NULL,
          body jsonb NOT NULL,
          created_at timestamptz NOT NULL,
          PRIMARY KEY (organization_id, conversation_id, message_id)
        )`,
      ],
    },
  ],
};

function parseBody(body: unknown): HandoffRecord {
  return (typeof body === 'string' ? JSON.parse(body) : body) as HandoffRecord;
}

export class SqlHandoffStore implements HandoffStore {
  private constructor(private readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<SqlHandoffStore> {
    try {
      if (schema === 'apply') await migrate(db, HANDOFF_MIGRATIONS);
      else await assertMigrated(db, HANDOFF_MIGRATIONS);
    } catch (err) {
      if (err instanceof StorageSetupError) throw err;
      throw new StorageSetupError(`${db.label}: handoff schema: ${(err as Error).message}`, { cause: err });
    }
    return new SqlHandoffStore(db);
  }

  async get(organizationId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const [row] = await this.db.query<{ body: unknown }>('SELECT body FROM handoffs WHERE organization_id = $1 AND conversation_id = $2', [
      organizationId,
      conversationId,
    ]);
    return row ? parseBody(row.body) : undefined;
  }

  async put(record: HandoffRecord, expectedVersion: number): Promise<boolean> {
    const params = [record.organizationId, record.conversationId, record.state, record.version, JSON.stringify(record), record.updatedAt];
    if (expectedVersion === 0) {
      const rows = await this.db.query(
        `INSERT INTO handoffs (organization_id, conversation_id, state, version, body, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (organization_id, conversation_id) DO NOTHING RETURNING version`,
        params,
      );
      return rows.length === 1;
    }
    const rows = await this.db.query(
      `UPDATE handoffs SET state = $3, version = $4, body = $5::jsonb, updated_at = $6
       WHERE organization_id = $1 AND conversation_id = $2 AND version = $7 RETURNING version`,
      [...params, expectedVersion],
    );
    return rows.length === 1;
  }

  async list(organizationId: string, states: readonly HandoffState[]): Promise<HandoffRecord[]> {
    // States are a closed set of identifiers, passed as one JSON parameter (the driver takes scalars only).
    const rows = await this.db.query<{ body: unknown }>(
      `SELECT body FROM handoffs WHERE organization_id = $1 AND state IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [organizationId, JSON.stringify(states)],
    );
    return rows.map((r) => parseBody(r.body));
  }

  async heartbeat(p: PresenceRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO operator_presence (organization_id, operator_id, name, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, operator_id) DO UPDATE SET name = EXCLUDED.name, seen_at = EXCLUDED.seen_at`,
      [p.organizationId, p.operatorId, p.name, p.seenAt],
    );
  }

  async online(organizationId: string, since: string): Promise<Operator[]> {
    const rows = await this.db.query<{ operator_id: string; name: string }>(
      'SELECT operator_id, name FROM operator_presence WHERE organization_id = $1 AND seen_at >= $2 ORDER BY operator_id',
      [organizationId, since],
    );
    return rows.map((r) => ({ id: r.operator_id, name: r.name }));
  }

  async leave(organizationId: string, operatorId: string): Promise<void> {
    await this.db.query('DELETE FROM operator_presence WHERE organization_id = $1 AND operator_id = $2', [organizationId, operatorId]);
  }

  async trackSession(organizationId: string, conversationId: string, sessionId: string): Promise<void> {
    await this.db.query(
      'INSERT INTO handoff_sessions (organization_id, conversation_id, session_id) VALUES ($1, $2, $3) ON CONFLICT (organization_id, conversation_id) DO NOTHING',
      [organizationId, conversationId, sessionId],
    );
  }

  async sessionOf(organizationId: string, conversationId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ session_id: string }>(
      'SELECT session_id FROM handoff_sessions WHERE organization_id = $1 AND conversation_id = $2',
      [organizationId, conversationId],
    );
    return row?.session_id;
  }

  async addNote(note: TurnNote): Promise<void> {
    await this.db.query(
      `INSERT INTO turn_notes (organization_id, conversation_id, message_id, body, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (organization_id, conversation_id, message_id) DO UPDATE SET body = EXCLUDED.body`,
      [note.organizationId, note.conversationId, note.messageId, JSON.stringify(note), note.createdAt],
    );
  }

  async notes(organizationId: string, conversationId: string): Promise<TurnNote[]> {
    const rows = await this.db.query<{ body: unknown }>(
      'SELECT body FROM turn_notes WHERE organization_id = $1 AND conversation_id = $2 ORDER BY created_at, message_id',
      [organizationId, conversationId],
    );
    return rows.map((r) => (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as TurnNote);
  }
}
