import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisBackplane } from '../src/backplane/redis-backplane.js';
import { runBackplaneContract } from './contracts/backplane-contract.js';
import { probeRedis, redisPair, REDIS_TEST_URL } from './backplane-services.js';
import { whenAvailable } from './storage-services.js';

const unavailable = await probeRedis();

/** Kills the server side of one of a backplane's connections, found by the name it registers. */
async function killConnection(admin: Redis, backplane: RedisBackplane, role: 'pub' | 'sub'): Promise<void> {
  const list = (await admin.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=smooth-operator:backplane:${role}:${backplane.origin} `));
  const id = line && /\bid=(\d+)/.exec(line)?.[1];
  if (!id) throw new Error(`no ${role} connection for ${backplane.origin} in CLIENT LIST`);
  await admin.client('KILL', 'ID', id);
}

whenAvailable(`Redis backplane (${REDIS_TEST_URL})`, unavailable, () => {
  runBackplaneContract('redis', redisPair);

  describe('redis backplane connection loss', () => {
    it('resubscribes after its connections are killed, and publishing meanwhile never throws', { timeout: 20_000 }, async () => {
      const pair = await redisPair();
      const a = pair.a as RedisBackplane;
      const b = pair.b as RedisBackplane;
      const admin = new Redis(REDIS_TEST_URL);
      try {
        const got: object[] = [];
        b.attach('c1', (e) => got.push(e));
        a.attach('c2', () => undefined);
        await killConnection(admin, b, 'sub');
        await killConnection(admin, a, 'pub');
        // Right after the kill the publisher may be down: the local delivery still counts, nothing throws.
        expect(await a.publish({ type: 'connection', id: 'c2' }, { n: 0 })).toBe(1);
        const deadline = Date.now() + 15_000;
        for (let n = 1; got.length === 0; n++) {
          if (Date.now() > deadline) throw new Error('b never received an event after reconnecting');
          await a.publish({ type: 'connection', id: 'c1' }, { n });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(got[0]).toEqual({ n: expect.any(Number) });
      } finally {
        admin.disconnect();
        await pair.close();
      }
    });
  });
});
