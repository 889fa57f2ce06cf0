import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handoffStoreForStorage } from '../src/handoff/handoff-for-storage.js';
import { DynamoHandoffStore } from '../src/handoff/handoff-dynamodb.js';
import { SqlHandoffStore } from '../src/handoff/handoff-sql.js';
import { MemoryHandoffStore, type HandoffStore } from '../src/handoff/handoff-store.js';
import type { HandoffRecord } from '../src/handoff/types.js';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { PostgresStorage } from '../src/storage/postgres-storage.js';
import { createTestDatabase, DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo, type TestDatabase } from './storage-services.js';

const root = mkdtempSync(join(tmpdir(), 'so-handoff-'));
const local = await startDynalite();
const pgDb = await createTestDatabase();
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (!('unavailable' in local)) await local.close();
  if (!('unavailable' in pgDb)) await pgDb.drop();
});

function record(overrides: Partial<HandoffRecord> = {}): HandoffRecord {
  return {
    conversationId: 'conv-1',
    organizationId: 'org-1',
    sessionId: 'sess-1',
    state: 'waiting',
    trigger: 'visitor',
    requestedAt: '2026-12-01T10:00:00.000Z',
    version: 1,
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

/** Sessions are created once per conversation; which write wins a (never happening) second one may differ. */
function memoryLike(name: string): boolean {
  return name === 'memory' || name.startsWith('dynamodb');
}

/** The contract every backend keeps; `second` is another replica's store on the same data. */
function contract(name: string, open: () => Promise<{ first: HandoffStore; second: HandoffStore; close(): Promise<void> }>): void {
  describe(`handoff store on ${name}`, { timeout: 90_000 }, () => {
    it('keeps records per organization and compare-and-sets on version', async () => {
      const { first, second, close } = await open();
      try {
        expect(await first.get('org-1', 'conv-1')).toBeUndefined();
        expect(await first.put(record(), 0)).toBe(true);
        // A second writer that also saw "no record" loses.
        expect(await second.put(record({ trigger: 'operator' }), 0)).toBe(false);
        expect(await second.get('org-1', 'conv-1')).toEqual(record());
        // Another organization's conversation of the same id is another record.
        expect(await second.get('org-2', 'conv-1')).toBeUndefined();
        const human = record({ state: 'human', operator: { id: 'op', name: 'Olga' }, humanParticipantId: 'p-1', version: 2 });
        expect(await second.put(human, 1)).toBe(true);
        expect(await first.put(record({ state: 'bot', version: 2 }), 1)).toBe(false);
        expect(await first.get('org-1', 'conv-1')).toEqual(human);
        await first.put(record({ conversationId: 'conv-2', state: 'bot' }), 0);
        await first.put(record({ conversationId: 'conv-3', organizationId: 'org-2' }), 0);
        const listed = await second.list('org-1', ['waiting', 'human']);
        expect(listed.map((r) => r.conversationId).sort()).toEqual(['conv-1']);
        expect((await second.list('org-1', ['bot'])).map((r) => r.conversationId)).toEqual(['conv-2']);
        expect((await second.list('org-2', ['waiting'])).map((r) => r.conversationId)).toEqual(['conv-3']);
      } finally {
        await close();
      }
    });

    it('of many concurrent writers on one version exactly one wins', async () => {
      const { first, second, close } = await open();
      try {
        await first.put(record({ conversationId: 'race' }), 0);
        const writers = Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).put(record({ conversationId: 'race', reason: `w${i}`, version: 2 }), 1));
        expect((await Promise.all(writers)).filter(Boolean)).toHaveLength(1);
      } finally {
        await close();
      }
    });

    it("keeps what each answer used, per conversation, oldest first", async () => {
      const { first, second, close } = await open();
      try {
        const note = (messageId: string, createdAt: string, conversationId = 'conv-n') => ({
          conversationId,
          organizationId: 'org-1',
          messageId,
          citations: [{ id: 'returns', title: 'Returns policy', url: 'https://help.example.com/returns', snippet: 'Within 30 days.' }],
          tools: [{ name: 'lookup_order', isError: false }],
          createdAt,
        });
        await first.addNote(note('m2', '2026-12-01T10:00:02.000Z'));
        await first.addNote(note('m1', '2026-12-01T10:00:01.000Z'));
        await first.addNote(note('m9', '2026-12-01T10:00:00.000Z', 'conv-other'));
        expect((await second.notes('org-1', 'conv-n')).map((n) => n.messageId)).toEqual(['m1', 'm2']);
        expect((await second.notes('org-1', 'conv-n'))[0]).toEqual(note('m1', '2026-12-01T10:00:01.000Z'));
        expect(await second.notes('org-2', 'conv-n')).toEqual([]);
      } finally {
        await close();
      }
    });

    it('maps a conversation to its visitor session, per organization, first writer kept', async () => {
      const { first, second, close } = await open();
      try {
        expect(await first.sessionOf('org-1', 'conv-s')).toBeUndefined();
        await first.trackSession('org-1', 'conv-s', 'sess-a');
        await second.trackSession('org-1', 'conv-s', 'sess-b');
        expect(await second.sessionOf('org-1', 'conv-s')).toBe(memoryLike(name) ? 'sess-b' : 'sess-a');
        expect(await second.sessionOf('org-2', 'conv-s')).toBeUndefined();
      } finally {
        await close();
      }
    });

    it('tracks operator presence by heartbeat time', async () => {
      const { first, second, close } = await open();
      try {
        await first.heartbeat({ organizationId: 'org-1', operatorId: 'op-1', name: 'Olga', seenAt: '2026-12-01T10:00:00.000Z' });
        await first.heartbeat({ organizationId: 'org-1', operatorId: 'op-2', name: 'Piet', seenAt: '2026-12-01T09:00:00.000Z' });
        await first.heartbeat({ organizationId: 'org-2', operatorId: 'op-3', name: 'Else', seenAt: '2026-12-01T10:00:00.000Z' });
        expect(await second.online('org-1', '2026-12-01T09:59:00.000Z')).toEqual([{ id: 'op-1', name: 'Olga' }]);
        await second.heartbeat({ organizationId: 'org-1', operatorId: 'op-2', name: 'Piet', seenAt: '2026-12-01T10:00:30.000Z' });
        expect((await first.online('org-1', '2026-12-01T09:59:00.000Z')).map((o) => o.id).sort()).toEqual(['op-1', 'op-2']);
        await first.leave('org-1', 'op-1');
        expect(await second.online('org-1', '2026-12-01T09:59:00.000Z')).toEqual([{ id: 'op-2', name: 'Piet' }]);
      } finally {
        await close();
      }
    });
  });
}

contract('memory', async () => {
  const store = new MemoryHandoffStore();
  return { first: store, second: store, close: async () => undefined };
});

let pgliteRun = 0;
contract('pglite', async () => {
  const storage = await PgliteStorage.open({ dataDir: join(root, `pglite-${++pgliteRun}`) });
  const store = await handoffStoreForStorage(storage, 'apply');
  expect(store).toBeInstanceOf(SqlHandoffStore);
  return { first: store, second: store, close: () => storage.close() };
});

describe('handoff schema', () => {
  it('verify mode on a database without the handoff track says to migrate', async () => {
    const storage = await PgliteStorage.open({ dataDir: join(root, 'unmigrated') });
    try {
      await expect(handoffStoreForStorage(storage, 'verify')).rejects.toThrow(/handoff migration\(s\) 1.*smooth-operator migrate/);
    } finally {
      await storage.close();
    }
  }, 60_000);
});

whenAvailable('postgres', 'unavailable' in pgDb ? pgDb.unavailable : undefined, () => {
  contract('postgres (two pools)', async () => {
    const url = (pgDb as TestDatabase).url;
    const [a, b] = [await PostgresStorage.open({ connectionString: url }), await PostgresStorage.open({ connectionString: url })];
    const [first, second] = await Promise.all([handoffStoreForStorage(a, 'apply'), handoffStoreForStorage(b, 'apply')]);
    // Each case starts from empty tables.
    await a.database.query('DELETE FROM handoffs');
    await a.database.query('DELETE FROM operator_presence');
    await a.database.query('DELETE FROM turn_notes');
    await a.database.query('DELETE FROM handoff_sessions');
    return { first, second, close: async () => (await a.close(), await b.close()) };
  });
});

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  contract('dynamodb (two clients)', async () => {
    const { endpoint } = local as LocalDynamo;
    const table = `so-handoff-${randomUUID()}`;
    const open = () => DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });
    const [a, b] = [await open(), await open()];
    const first = await handoffStoreForStorage(a, 'apply');
    expect(first).toBeInstanceOf(DynamoHandoffStore);
    return { first, second: await handoffStoreForStorage(b, 'apply'), close: async () => (await a.close(), await b.close()) };
  });
});
