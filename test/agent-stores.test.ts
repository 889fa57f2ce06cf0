import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAgentStore } from '../src/agents/agent-store.js';
import { agentsForStorage } from '../src/agents/agents-for-storage.js';
import { agentTurnSettings } from '../src/agents/turn-settings.js';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { PostgresStorage } from '../src/storage/postgres-storage.js';
import type { Storage } from '../src/storage/index.js';
import { runAgentStoreContract } from './contracts/agent-store-contract.js';
import { createTestDatabase, DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo, type TestDatabase } from './storage-services.js';

const root = mkdtempSync(join(tmpdir(), 'so-agent-stores-'));
const pgDb = await createTestDatabase();
const dynamo = await startDynalite();
afterAll(async () => {
  if (!('unavailable' in pgDb)) await pgDb.drop();
  if (!('unavailable' in dynamo)) await dynamo.close();
  rmSync(root, { recursive: true, force: true });
});

async function onStorage(storage: Storage) {
  const store = await agentsForStorage(storage, 'apply');
  return { store, close: () => storage.close() };
}

runAgentStoreContract('memory', async () => ({ store: new MemoryAgentStore(), close: async () => undefined }));
runAgentStoreContract('pglite', async () => onStorage(await PgliteStorage.open({ dataDir: join(root, 'pglite') })), { durable: true });

whenAvailable('postgres', 'unavailable' in pgDb ? pgDb.unavailable : undefined, () => {
  const { url } = pgDb as TestDatabase;
  runAgentStoreContract('postgres', async () => onStorage(await PostgresStorage.open({ connectionString: url, poolMax: 2 })), { durable: true });
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in dynamo ? dynamo.unavailable : undefined, () => {
  const { endpoint } = dynamo as LocalDynamo;
  const table = `so-agents-${randomUUID()}`;
  runAgentStoreContract(
    'dynamodb',
    async () => onStorage(await DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS })),
    { durable: true },
  );
});

describe('agent turn settings', () => {
  const org = { model: 'org-model', systemPrompt: 'Org prompt.', persona: 'Org persona.', enabledTools: ['a', 'b'] };

  it('leaves the organization settings alone without an agent', () => {
    expect(agentTurnSettings(org, undefined)).toEqual(org);
  });

  it('replaces prompt, persona, model, tools and document sets from the agent, with auth levels and configs by tool', () => {
    const settings = agentTurnSettings(org, {
      agentId: 'x',
      organizationId: 'o',
      visibility: 'internal',
      instructions: 'Agent prompt.',
      model: 'agent-model',
      documentSets: ['returns'],
      toolConfig: {
        enabledTools: [
          { toolId: 'lookup', enabled: true, authLevel: 'end_user', config: { region: 'eu' } },
          { toolId: 'refund', enabled: true, authLevel: 'admin' },
          { toolId: 'off', enabled: false, authLevel: 'admin', config: { never: true } },
        ],
      },
    });
    expect(settings).toMatchObject({ systemPrompt: 'Agent prompt.', model: 'agent-model', documentSets: ['returns'], visibility: 'internal', enabledTools: ['lookup', 'refund'] });
    expect(settings.persona).toBeUndefined();
    expect([...settings.toolAuthLevels!]).toEqual([
      ['lookup', 'end_user'],
      ['refund', 'admin'],
    ]);
    expect([...settings.toolConfigs!]).toEqual([['lookup', { region: 'eu' }]]);
  });

  it('keeps the organization prompt and persona when the agent has no instructions, even if it has a personality', () => {
    const settings = agentTurnSettings(org, { agentId: 'x', organizationId: 'o', visibility: 'public', personality: 'ignored without instructions' });
    expect(settings).toMatchObject({ systemPrompt: 'Org prompt.', persona: 'Org persona.', model: 'org-model', enabledTools: ['a', 'b'], visibility: 'public' });
    expect(settings.documentSets).toBeUndefined();
    expect(settings.toolsRestricted).toBeUndefined();
  });
});
