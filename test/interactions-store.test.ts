import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interactionsForStorage, type InteractionStore, type PendingInteraction } from '../src/engine/interactions/index.js';
import { otpStoreForStorage, type OtpChallenge, type OtpStore } from '../src/otp/index.js';
import { DynamoStorage } from '../src/storage/dynamodb/dynamo-storage.js';
import { MemoryStorage, type Storage } from '../src/storage/index.js';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { PostgresStorage } from '../src/storage/postgres-storage.js';
import { createTestDatabase, DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo, type TestDatabase } from './storage-services.js';

/** The interaction and OTP stores on every storage backend: the same contract, the real databases. */
const pgliteDir = mkdtempSync(join(tmpdir(), 'so-interactions-store-'));
const pgDb = await createTestDatabase();
const dynamo = await startDynalite();
afterAll(async () => {
  rmSync(pgliteDir, { recursive: true, force: true });
  if (!('unavailable' in pgDb)) await pgDb.drop();
  if (!('unavailable' in dynamo)) await dynamo.close();
});

function pending(sessionId: string, over: Partial<PendingInteraction> = {}): PendingInteraction {
  return {
    sessionId,
    requestId: 'r-1',
    interactionId: randomUUID(),
    kind: 'identity_intake',
    toolCallId: 'call-1',
    toolName: 'request_identity_intake',
    spec: { fields: [{ key: 'email', required: true }] },
    reason: 'to send the quote',
    createdAt: '2026-12-01T10:00:00.000Z',
    expiresAt: '2026-12-01T10:15:00.000Z',
    checkpoint: {
      requestId: 'r-1',
      model: 'm',
      iteration: 1,
      messages: [{ role: 'user', content: 'quote please — ünïcødé' }],
      toolCall: { id: 'call-1', name: 'request_identity_intake', arguments: '{}' },
      remainingToolCalls: [],
      toolNames: ['request_identity_intake'],
      sources: [],
      usage: { costUsd: 0, promptTokens: 10, completionTokens: 5 },
    },
    ...over,
  };
}

function challenge(sessionId: string): OtpChallenge {
  return {
    sessionId,
    channel: 'email',
    maskedDestination: 'a***@example.com',
    codeHash: 'ab'.repeat(32),
    salt: 'cd'.repeat(16),
    attempts: 0,
    createdAt: '2026-12-01T10:00:00.000Z',
    expiresAt: '2026-12-01T10:10:00.000Z',
  };
}

function runContract(name: string, open: () => Promise<Storage>): void {
  describe(`interaction and OTP stores (${name})`, () => {
    let storage: Storage;
    let interactions: InteractionStore;
    let otp: OtpStore;
    const ready = (async () => {
      storage = await open();
      interactions = await interactionsForStorage(storage, 'apply');
      otp = await otpStoreForStorage(storage, 'apply');
    })();
    afterAll(async () => {
      await ready;
      await storage.close();
    });

    it('keeps one parked interaction per session, whole, and replaces it', async () => {
      await ready;
      const sessionId = randomUUID();
      expect(await interactions.get(sessionId)).toBeUndefined();
      const first = pending(sessionId);
      await interactions.put(first);
      expect(await interactions.get(sessionId)).toEqual(first);
      const second = pending(sessionId, { interactionId: randomUUID(), kind: 'choices' });
      await interactions.put(second);
      expect(await interactions.get(sessionId)).toEqual(second);
    });

    it('take with an id takes only that interaction; concurrent takes hand it to exactly one caller', async () => {
      await ready;
      const sessionId = randomUUID();
      const p = pending(sessionId);
      await interactions.put(p);
      expect(await interactions.take(sessionId, 'someone-elses-id')).toBeUndefined();
      expect(await interactions.get(sessionId)).toEqual(p);
      const takes = await Promise.all(Array.from({ length: 5 }, () => interactions.take(sessionId, p.interactionId)));
      expect(takes.filter(Boolean)).toEqual([p]);
      expect(await interactions.get(sessionId)).toBeUndefined();
    });

    it('counts OTP attempts atomically and forgets a deleted challenge', async () => {
      await ready;
      const sessionId = randomUUID();
      expect(await otp.countAttempt(sessionId)).toBeUndefined();
      await otp.putChallenge(challenge(sessionId));
      const counted = await Promise.all(Array.from({ length: 4 }, () => otp.countAttempt(sessionId)));
      expect(counted.map((c) => c!.attempts).sort()).toEqual([1, 2, 3, 4]);
      expect(counted[0]).toMatchObject({ codeHash: 'ab'.repeat(32), maskedDestination: 'a***@example.com' });
      // A new challenge starts over.
      await otp.putChallenge(challenge(sessionId));
      expect((await otp.countAttempt(sessionId))!.attempts).toBe(1);
      await otp.deleteChallenge(sessionId);
      expect(await otp.countAttempt(sessionId)).toBeUndefined();
    });

    it('counts sends per key and window', async () => {
      await ready;
      const key = `session:${randomUUID()}`;
      const later = new Date(Date.now() + 60_000).toISOString();
      const counts = await Promise.all([otp.countSend(key, 'w1', later), otp.countSend(key, 'w1', later), otp.countSend(key, 'w1', later)]);
      expect(counts.sort()).toEqual([1, 2, 3]);
      expect(await otp.countSend(key, 'w2', later)).toBe(1);
      expect(await otp.countSend(`${key}-other`, 'w1', later)).toBe(1);
    });
  });
}

runContract('memory', async () => new MemoryStorage());
runContract('pglite', () => PgliteStorage.open({ dataDir: pgliteDir }));
whenAvailable('postgres', 'unavailable' in pgDb ? pgDb.unavailable : undefined, () => {
  runContract('postgres', () => PostgresStorage.open({ connectionString: (pgDb as TestDatabase).url, poolMax: 4 }));
});
whenAvailable('dynamodb (dynalite)', 'unavailable' in dynamo ? dynamo.unavailable : undefined, () => {
  const { endpoint } = dynamo as LocalDynamo;
  const table = `so-interactions-${randomUUID()}`;
  runContract('dynamodb', () => DynamoStorage.open({ table, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS }));
});

describe('interaction store survives a restart (pglite)', () => {
  it('a parked interaction written before close is there after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-interactions-restart-'));
    try {
      const sessionId = randomUUID();
      const p = pending(sessionId);
      const first = await PgliteStorage.open({ dataDir: dir });
      await (await interactionsForStorage(first, 'apply')).put(p);
      await first.close();
      const second = await PgliteStorage.open({ dataDir: dir });
      try {
        expect(await (await interactionsForStorage(second, 'verify')).get(sessionId)).toEqual(p);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
