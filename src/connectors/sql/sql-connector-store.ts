import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import { ConnectorNameTaken, type ConnectorStore } from '../connector-store.js';
import type { Connector } from '../types.js';
import { toConnector, type ConnectorRow } from './connector-rows.js';

const UNIQUE_VIOLATION = '23505';
const NAME_CONSTRAINT = 'connector_configs_org_name';

/** Both drivers surface the SQLSTATE as `code`; the constraint is named in `constraint` (pg) or the message. */
function isNameClash(err: unknown): boolean {
  const { code, constraint, message } = (err ?? {}) as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code !== UNIQUE_VIOLATION) return false;
  return constraint === NAME_CONSTRAINT || (typeof message === 'string' && message.includes(NAME_CONSTRAINT));
}

/** Connector configs on Postgres or PGlite (`connector_configs`, see connector-schema.ts). */
export class SqlConnectorStore implements ConnectorStore {
  constructor(private readonly db: SqlDatabase) {}

  async list(organizationId: string): Promise<Connector[]> {
    // COLLATE "C": plain character order, the same on every server whatever its locale, like the memory store's.
    const rows = await this.db.query<ConnectorRow>('SELECT * FROM connector_configs WHERE organization_id = $1 ORDER BY name COLLATE "C"', [organizationId]);
    return rows.map(toConnector);
  }

  async get(organizationId: string, id: string): Promise<Connector | undefined> {
    const [row] = await this.db.query<ConnectorRow>('SELECT * FROM connector_configs WHERE organization_id = $1 AND id = $2', [organizationId, id]);
    return row && toConnector(row);
  }

  async put(c: Connector): Promise<Connector> {
    try {
      const [row] = await this.db.query<ConnectorRow>(
        `INSERT INTO connector_configs (organization_id, id, name, kind, config, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
         ON CONFLICT (organization_id, id) DO UPDATE SET
           name = EXCLUDED.name, kind = EXCLUDED.kind, config = EXCLUDED.config, enabled = EXCLUDED.enabled,
           created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
         RETURNING *`,
        [c.organizationId, c.id, c.name, c.kind, JSON.stringify(c.config), c.enabled, c.createdAt, c.updatedAt],
      );
      return toConnector(row!);
    } catch (err) {
      if (isNameClash(err)) throw new ConnectorNameTaken(c.name);
      throw err;
    }
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const deleted = await this.db.query<{ id: string }>('DELETE FROM connector_configs WHERE organization_id = $1 AND id = $2 RETURNING id', [organizationId, id]);
    return deleted.length > 0;
  }
}
