import { ConfigError, loadConfig, type Env } from '../config/index.js';
import { buildEmbedder } from '../knowledge/build-retrieval.js';
import { knowledgeForStorage } from '../knowledge/open-knowledge.js';
import { openStorage } from '../storage/index.js';
import type { StoredSummary } from './admin-client.js';
import type { LoadedDocument } from './types.js';

export interface DirectTarget {
  /** Where documents go, safe to print (no password). */
  description: string;
  organizationId: string;
  upsert(documents: readonly LoadedDocument[]): Promise<StoredSummary[]>;
  close(): Promise<void>;
}

/**
 * `ingest --direct`: writes into the knowledge store of the storage the environment configures, with
 * the same embedder the server would use, without a running server. Memory storage is refused: the
 * documents would vanish when the command exits.
 */
export async function openDirectTarget(env: Env, organization: string | undefined): Promise<DirectTarget> {
  const config = loadConfig(env);
  if (config.storage === 'memory') {
    throw new ConfigError(
      'SMOOTH_AGENT_STORAGE',
      '--direct writes to durable storage: set pglite, postgres or dynamodb (memory would be lost when the command exits)',
    );
  }
  const organizationId = organization ?? config.defaultOrgId;
  const opened = await openStorage(config);
  try {
    const knowledge = await knowledgeForStorage(opened.storage, {
      embedder: buildEmbedder(config),
      schema: config.autoMigrate ? 'apply' : 'verify',
    });
    return {
      description: `${opened.description}, organization ${organizationId}`,
      organizationId,
      async upsert(documents) {
        const stored = await knowledge.upsert(organizationId, [...documents]);
        return stored.map((d) => ({ id: d.id, chunks: d.chunkCount }));
      },
      close: () => opened.storage.close(),
    };
  } catch (err) {
    await opened.storage.close();
    throw err;
  }
}
