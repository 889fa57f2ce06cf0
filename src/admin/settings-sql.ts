import { assertMigrated, migrate } from '../storage/sql/migrate.js';
import type { MigrationTrack } from '../storage/sql/migrations.js';
import type { SqlDatabase } from '../storage/sql/sql-client.js';
import { StorageSetupError } from '../storage/storage-error.js';
import type { AgentSettings, SettingsStore } from './settings-store.js';

/**
 * Agent settings get their own migration track, so their versions never collide with the other
 * stores that add tables to the same database.
 */
export const SETTINGS_MIGRATIONS: MigrationTrack = {
  track: 'settings',
  migrations: [
    {
      version: 1,
      name: 'agent settings per organization (model, system prompt, persona, default tools)',
      statements: [
        `CREATE TABLE agent_settings (
          organization_id text PRIMARY KEY,
          model text,
          system_prompt text,
          persona text,
          default_tools jsonb NOT NULL,
          updated_at timestamptz
        )`,
      ],
    },
  ],
};

interface SettingsRow {
  organization_id: string;
  model: string | null;
  system_prompt: string | null;
  persona: string | null;
  default_tools: string[];
  updated_at: Date | string | null;
}

function toSettings(row: SettingsRow): AgentSettings {
  return {
    organizationId: row.organization_id,
    ...(row.model !== null ? { model: row.model } : {}),
    ...(row.system_prompt !== null ? { systemPrompt: row.system_prompt } : {}),
    ...(row.persona !== null ? { persona: row.persona } : {}),
    defaultTools: row.default_tools,
    updatedAt: row.updated_at === null ? null : (row.updated_at instanceof Date ? row.updated_at : new Date(row.updated_at)).toISOString(),
  };
}

/** Settings on Postgres or PGlite, on the storage's own database handle. */
export class SqlSettingsStore implements SettingsStore {
  private constructor(private readonly db: SqlDatabase) {}

  /** `apply` (default) migrates the `settings` track; `verify` only checks it is current. */
  static async open(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<SqlSettingsStore> {
    try {
      if (schema === 'apply') await migrate(db, SETTINGS_MIGRATIONS);
      else await assertMigrated(db, SETTINGS_MIGRATIONS);
    } catch (err) {
      if (err instanceof StorageSetupError) throw err;
      throw new StorageSetupError(`${db.label}: settings schema: ${(err as Error).message}`, { cause: err });
    }
    return new SqlSettingsStore(db);
  }

  async get(organizationId: string): Promise<AgentSettings> {
    const [row] = await this.db.query<SettingsRow>('SELECT * FROM agent_settings WHERE organization_id = $1', [organizationId]);
    return row ? toSettings(row) : { organizationId, defaultTools: [], updatedAt: null };
  }

  async put(s: AgentSettings): Promise<AgentSettings> {
    const [row] = await this.db.query<SettingsRow>(
      `INSERT INTO agent_settings (organization_id, model, system_prompt, persona, default_tools, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (organization_id) DO UPDATE SET
         model = EXCLUDED.model, system_prompt = EXCLUDED.system_prompt, persona = EXCLUDED.persona,
         default_tools = EXCLUDED.default_tools, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [s.organizationId, s.model ?? null, s.systemPrompt ?? null, s.persona ?? null, JSON.stringify(s.defaultTools), s.updatedAt],
    );
    return toSettings(row!);
  }
}
