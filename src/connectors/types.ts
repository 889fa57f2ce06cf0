import type { DocumentAcl } from '../knowledge/index.js';

export const CONNECTOR_KINDS = ['file', 'web', 'github'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Fields every kind accepts: where its documents land in the knowledge base. */
export interface PlacementConfig {
  documentSets?: string[];
}

export interface FileConnectorConfig extends PlacementConfig {
  /** A directory (walked recursively) or one file, on the server's file system. */
  path: string;
  include?: string[];
  exclude?: string[];
  acl?: DocumentAcl;
}

export interface WebConnectorConfig extends PlacementConfig {
  url: string;
  /** Links followed from the start page; 0 = the page (or the sitemap's pages) only. */
  depth?: number;
  maxPages?: number;
  acl?: DocumentAcl;
}

export interface GithubConnectorConfig extends PlacementConfig {
  owner: string;
  repo: string;
  /** Branch, tag or commit; the repository's default branch when absent. */
  ref?: string;
  visibility: 'public' | 'private';
  /** Name of the environment variable holding the token (never the token itself). */
  auth_ref?: string;
  /** Index the repository's issues too (pull requests are left out). */
  issues?: boolean;
}

/** Kind and config travel together so a config can never be read as another kind's. */
export type ConnectorDefinition =
  | { kind: 'file'; config: FileConnectorConfig }
  | { kind: 'web'; config: WebConnectorConfig }
  | { kind: 'github'; config: GithubConnectorConfig };

export type Connector = ConnectorDefinition & {
  id: string;
  organizationId: string;
  /** Unique within the organization; indexing runs are reported under it. */
  name: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
};

export type IndexingRunStatus = 'running' | 'succeeded' | 'failed';

export interface IndexingRun {
  id: string;
  organizationId: string;
  connectorId: string;
  connectorName: string;
  status: IndexingRunStatus;
  startedAt: string;
  finishedAt: string | null;
  /** Documents the source considered, including those it found unchanged. */
  documentsSeen: number;
  /** Chunks written for documents that were created or changed. */
  chunksIndexed: number;
  /** Documents seen but not (re)indexed: unchanged, empty or unreadable. */
  documentsSkipped: number;
  /** Where the next run resumes; the connector kind decides what it means. Null until a run succeeds. */
  cursor: string | null;
  error: string | null;
}
