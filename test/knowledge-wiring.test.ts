import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { DynamoKnowledge } from '../src/knowledge/dynamodb/dynamo-knowledge.js';
import { MemoryKnowledge } from '../src/knowledge/index.js';
import { SqlKnowledge } from '../src/knowledge/sql/sql-knowledge.js';
import { silentLogger } from '../src/server/logger.js';
import { StorageSetupError } from '../src/storage/storage-error.js';
import { startDynalite, whenAvailable, type LocalDynamo } from './storage-services.js';

/** The knowledge store follows SMOOTH_AGENT_STORAGE; a host's own store still wins. */
const root = mkdtempSync(join(tmpdir(), 'so-knowledge-wiring-'));
const local = await startDynalite();
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (!('unavailable' in local)) await local.close();
});

const access = { organizationId: 'default', groups: [] };

describe('knowledge wiring', () => {
  it('memory storage keeps knowledge in memory; deps.knowledge overrides any backend', async () => {
    const app = await createApp(loadConfig({}), { logger: silentLogger() });
    expect(app.knowledge).toBeInstanceOf(MemoryKnowledge);
    await app.close();
    const own = new MemoryKnowledge();
    const pglite = await createApp(loadConfig({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(root, 'override') }), {
      logger: silentLogger(),
      knowledge: own,
    });
    expect(pglite.knowledge).toBe(own);
    await pglite.close();
  }, 60_000);

  it('pglite: knowledge on the storage database; a changed embedder stops the boot, says what to do and releases the directory', async () => {
    const dir = join(root, 'pglite');
    const offline = loadConfig({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: dir, SMOOTH_AGENT_SEED_KB: '1' });
    const app = await createApp(offline, { logger: silentLogger() });
    expect(app.knowledge).toBeInstanceOf(SqlKnowledge);
    expect((await app.knowledge.search('return window', { access, limit: 1 }))[0]?.documentId).toBe('policies/returns.md');
    await app.close();

    const gateway = loadConfig({
      SMOOTH_AGENT_STORAGE: 'pglite',
      SMOOTH_AGENT_DATA_DIR: dir,
      SMOOAI_GATEWAY_KEY: 'k',
      SMOOTH_AGENT_EMBEDDINGS: 'gateway',
      SMOOTH_AGENT_EMBEDDING_DIMENSIONS: '64',
    });
    const error = await createApp(gateway, { logger: silentLogger() }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StorageSetupError);
    expect(error?.message).toMatch(/built with deterministic-v1:terms \(1024 dims\); configured embedder is \S+ \(64 dims\)/);
    expect(error?.message).toMatch(/To switch back.*SMOOTH_AGENT_EMBEDDINGS.*To re-index.*TRUNCATE knowledge_chunks, knowledge_documents/);
    // The failed boot let go of the data directory: the original configuration starts again.
    const again = await createApp(offline, { logger: silentLogger() });
    expect((await again.knowledge.list('default')).map((d) => d.id).sort()).toEqual(['policies/returns.md', 'policies/shipping.md']);
    await again.close();
  }, 90_000);
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  it('dynamodb: knowledge in the storage table', async () => {
    const env = {
      SMOOTH_AGENT_STORAGE: 'dynamodb',
      SMOOTH_AGENT_DDB_TABLE: `so-wiring-${randomUUID()}`,
      SMOOTH_AGENT_DDB_ENDPOINT: (local as LocalDynamo).endpoint,
      SMOOTH_AGENT_DDB_REGION: 'us-east-1',
      SMOOTH_AGENT_SEED_KB: '1',
    };
    // The SDK's credential chain reads these; dynalite accepts any.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const app = await createApp(loadConfig(env), { logger: silentLogger() });
    try {
      expect(app.knowledge).toBeInstanceOf(DynamoKnowledge);
      expect((await app.knowledge.search('shipping days', { access, limit: 1 }))[0]?.documentId).toBe('policies/shipping.md');
    } finally {
      await app.close();
    }
  });
});
