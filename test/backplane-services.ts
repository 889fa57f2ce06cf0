import { randomUUID } from 'node:crypto';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import type { BackplanePair } from './contracts/backplane-contract.js';
import { NatsBackplane } from '../src/backplane/nats-backplane.js';
import { RedisBackplane } from '../src/backplane/redis-backplane.js';
import { natsConnectionOptions } from '../src/backplane/nats-backplane.js';

/** The machine's services (see .ci/run); override to point the suites elsewhere. */
export const REDIS_TEST_URL = process.env.SMOOTH_AGENT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_TEST_URL = process.env.SMOOTH_AGENT_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Undefined when a backplane can connect to the server, otherwise why not (for whenAvailable). */
export async function probe(connect: () => Promise<{ close(): Promise<void> }>): Promise<string | undefined> {
  try {
    await (await connect()).close();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const probeRedis = () => probe(() => RedisBackplane.connect({ url: REDIS_TEST_URL, connectTimeoutMs: 2_000 }));
export const probeNats = () => probe(() => NatsBackplane.connect({ url: NATS_TEST_URL, connectTimeoutMs: 2_000 }));

/** Two replicas on a channel of their own, so parallel suites (and servers) on the same Redis never mix. */
export async function redisPair(): Promise<BackplanePair> {
  const channel = `smooth-operator:backplane:test:${randomUUID()}`;
  const a = await RedisBackplane.connect({ url: REDIS_TEST_URL, channel });
  const b = await RedisBackplane.connect({ url: REDIS_TEST_URL, channel });
  const raw = new Redis(REDIS_TEST_URL);
  return {
    a,
    b,
    injectRaw: async (payload) => void (await raw.publish(channel, payload)),
    async close() {
      await Promise.all([a.close(), b.close()]);
      raw.disconnect();
    },
  };
}

/** Two replicas on a subject of their own. */
export async function natsPair(): Promise<BackplanePair> {
  const subject = `smooth-operator.backplane.test.${randomUUID()}`;
  const a = await NatsBackplane.connect({ url: NATS_TEST_URL, subject });
  const b = await NatsBackplane.connect({ url: NATS_TEST_URL, subject });
  const raw = await natsConnect(natsConnectionOptions(NATS_TEST_URL));
  return {
    a,
    b,
    injectRaw: async (payload) => {
      raw.publish(subject, payload);
      // Flushed, so the server has it before the test's next publish on another connection.
      await raw.flush();
    },
    async close() {
      await Promise.all([a.close(), b.close(), raw.close()]);
    },
  };
}
