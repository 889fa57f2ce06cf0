import { iso } from '../../storage/sql/rows.js';
import type { Connector, ConnectorDefinition, IndexingRun } from '../types.js';

/** timestamptz as both drivers return it. */
type Timestamp = Date | string;

export interface ConnectorRow {
  organization_id: string;
  id: string;
  name: string;
  kind: Connector['kind'];
  config: Connector['config'];
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RunRow {
  organization_id: string;
  id: string;
  connector_id: string;
  connector_name: string;
  status: IndexingRun['status'];
  started_at: Timestamp;
  finished_at: Timestamp | null;
  documents_seen: number;
  chunks_indexed: number;
  documents_skipped: number;
  cursor: string | null;
  error: string | null;
}

export function toConnector(row: ConnectorRow): Connector {
  // Kind and config were written together from one ConnectorDefinition, so they still match.
  const definition = { kind: row.kind, config: row.config } as ConnectorDefinition;
  return {
    ...definition,
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    enabled: row.enabled,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toRun(row: RunRow): IndexingRun {
  return {
    id: row.id,
    organizationId: row.organization_id,
    connectorId: row.connector_id,
    connectorName: row.connector_name,
    status: row.status,
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    documentsSeen: row.documents_seen,
    chunksIndexed: row.chunks_indexed,
    documentsSkipped: row.documents_skipped,
    cursor: row.cursor,
    error: row.error,
  };
}
