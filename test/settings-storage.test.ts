import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoSettingsStore } from '../src/admin/settings-dynamodb.js';
import { settingsForStorage } from '../src/admin/settings-for-storage.js';
import { SqlSettingsStore } from '../src/admin/settings-sql.js';
import type { AgentSettings, SettingsStore } from '../src/admin/settings-store.js';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { MemoryStorage } from '../src/storage/memory-storage.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo } from './storage-services.js';

const root = mkdtempSync(join(tmpdir(), 'so-settings-'));
const local = await startDynalite();
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (!('unavailable' in local)) await local.close();
});

const full: AgentSettings = {
  organizationId: 'org-1',
  model: 'gpt-test',
  systemPrompt: 'You help with kettles.',
  persona: 'Captain Kettle',
  defaultTools: ['knowledge_search', 'lookup_order'],
  updatedAt: '2026-03-04T05:06:07.000Z',
};

async function roundTrip(store: SettingsStore): Promise<void> {
  expect(await store.get('org-1')).toEqual({ organizationId: 'org-1', defaultTools: [], updatedAt: null });
  expect(await store.put(full)).toEqual(full);
  expect(await store.get('org-1')).toEqual(full);
  expect(await store.get('org-2')).toEqual({ organizationId: 'org-2', defaultTools: [], updatedAt: null });
  const { persona: _p, model: _m, ...cleared } = full;
  await store.put(cleared);
  expect(await store.get('org-1')).toEqual(cleared);
  await store.put(full);
}

describe('agent settings on pglite', () => {
  it('keep every field, persona included, across a restart', async () => {
    const dataDir = join(root, 'pglite');
    const first = await PgliteStorage.open({ dataDir });
    const store = await settingsForStorage(first, 'apply');
    expect(store).toBeInstanceOf(SqlSettingsStore);
    await roundTrip(store);
    await first.close();
    const second = await PgliteStorage.open({ dataDir });
    try {
      expect(await (await settingsForStorage(second, 'verify')).get('org-1')).toEqual(full);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('verify mode on a database without the settings table says to migrate', async () => {
    const storage = await PgliteStorage.open({ dataDir: join(root, 'unmigrated') });
    try {
      await expect(settingsForStorage(storage, 'verify')).rejects.toThrow(/settings migration\(s\) 1.*smooth-operator migrate/);
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('memory storage keeps settings in memory', async () => {
    expect(await settingsForStorage(new MemoryStorage(), 'apply')).not.toBeInstanceOf(SqlSettingsStore);
  });
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  describe('agent settings on dynamodb', () => {
    it('keep every field in the storage table, seen by a second replica', async () => {
      const { endpoint } = local as LocalDynamo;
      const table = `so-settings-${randomUUID()}`;
      const open = () => DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
      const [a, b] = [await open(), await open()];
      try {
        const store = await settingsForStorage(a, 'apply');
        expect(store).toBeInstanceOf(DynamoSettingsStore);
        await roundTrip(store);
        expect(await (await settingsForStorage(b, 'apply')).get('org-1')).toEqual(full);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});
