import { assertMigrated, migrate } from '../storage/sql/migrate.js';
import type { MigrationTrack } from '../storage/sql/migrations.js';
import type { SqlDatabase } from '../storage/sql/sql-client.js';
import { StorageSetupError } from '../storage/storage-error.js';
import type { AgentStore } from './agent-store.js';
import type { AgentConfig } from './types.js';

/** Agents have their own migration track, so their versions never collide with another store's. */
export const AGENT_MIGRATIONS: MigrationTrack = {
  track: 'agents',
  migrations: [
    {
      version: 1,
      name: 'agent configs per organization',
      statements: [
        // The record is read whole on every turn and never queried by its parts: one jsonb column.
        `CREATE TABLE agents (
          organization_id text NOT NULL,
          agent_id text NOT NULL,
          config jsonb NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (organization_id, agent_id)
        )`,
      ],
    },
  ],
};

interface AgentRow {
  config: AgentConfig;
}

/** Agents on Postgres or PGlite, on the storage's own database handle. */
export class SqlAgentStore implements AgentStore {
  private constructor(private readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<SqlAgentStore> {
    try {
      if (schema === 'apply') await migrate(db, AGENT_MIGRATIONS);
      else await assertMigrated(db, AGENT_MIGRATIONS);
    } catch (err) {
      if (err instanceof StorageSetupError) throw err;
      throw new StorageSetupError(`${db.label}: agents schema: ${(err as Error).message}`, { cause: err });
    }
    return new SqlAgentStore(db);
  }

  async get(organizationId: string, agentId: string): Promise<AgentConfig | undefined> {
    const [row] = await this.db.query<AgentRow>('SELECT config FROM agents WHERE organization_id = $1 AND agent_id = $2', [organizationId, agentId]);
    return row?.config;
  }

  async list(organizationId: string): Promise<AgentConfig[]> {
    // COLLATE "C": byte order, the same order the other backends list in.
    const rows = await this.db.query<AgentRow>('SELECT config FROM agents WHERE organization_id = $1 ORDER BY agent_id COLLATE "C"', [organizationId]);
    return rows.map((r) => r.config);
  }

  async put(agent: AgentConfig): Promise<AgentConfig> {
    await this.db.query(
      `INSERT INTO agents (organization_id, agent_id, config, updated_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (organization_id, agent_id) DO UPDATE SET config = EXCLUDED.config, updated_at = EXCLUDED.updated_at`,
      [agent.organizationId, agent.agentId, JSON.stringify(agent), new Date().toISOString()],
    );
    return structuredClone(agent);
  }

  async delete(organizationId: string, agentId: string): Promise<boolean> {
    const rows = await this.db.query<{ agent_id: string }>('DELETE FROM agents WHERE organization_id = $1 AND agent_id = $2 RETURNING agent_id', [
      organizationId,
      agentId,
    ]);
    return rows.length > 0;
  }
}
