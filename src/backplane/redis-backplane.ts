import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { redactBusUrl, unavailable } from './backplane-error.js';
import { silentBackplaneLogger, type BackplaneLogger } from './backplane-logger.js';
import { BusBackplane } from './bus-backplane.js';

/** The reference server's channel: replicas of either implementation can share one Redis. */
export const REDIS_BACKPLANE_CHANNEL = 'smooth-operator:backplane';

export interface RedisBackplaneOptions {
  /** `redis://` or `rediss://` (TLS); Valkey speaks the same protocol. */
  url: string;
  logger?: BackplaneLogger;
  /** Another channel keeps separate deployments (or test runs) on one server apart. */
  channel?: string;
  /** How long the boot waits for the server before failing. */
  connectTimeoutMs?: number;
  /** A bus publish that gets no reply within this is given up on (and logged), so /admin/publish cannot hang. */
  commandTimeoutMs?: number;
  origin?: string;
}

/** Resolves once the client is gone, so close() leaves no socket behind. */
function disconnect(client: Redis): Promise<void> {
  if (client.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    client.once('end', () => resolve());
    client.disconnect();
  });
}

/**
 * Redis (or Valkey) pub/sub. Two connections, because a subscribed Redis connection can run
 * nothing but (un)subscribe commands.
 */
export class RedisBackplane extends BusBackplane {
  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    logger: BackplaneLogger,
    origin: string,
  ) {
    super(logger, origin);
    subscriber.on('message', (from: string, payload: string) => {
      if (from === channel) this.receive(payload);
    });
  }

  /** Connects and subscribes; throws BackplaneUnavailableError (URL redacted) when the server cannot be reached. */
  static async connect(options: RedisBackplaneOptions): Promise<RedisBackplane> {
    const logger = options.logger ?? silentBackplaneLogger;
    const origin = options.origin ?? randomUUID();
    const channel = options.channel ?? REDIS_BACKPLANE_CHANNEL;
    // At boot a refused connection is an answer, not something to retry forever; once up, an outage
    // is ridden out with capped backoff while ioredis resubscribes on its own.
    let booted = false;
    const clientOptions = (role: string): RedisOptions => ({
      lazyConnect: true,
      connectionName: `smooth-operator:backplane:${role}:${origin}`,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      // Fail a publish at once while disconnected rather than queueing it behind an outage.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => (booted ? Math.min(attempt * 200, 5_000) : null),
    });
    const publisher = new Redis(options.url, clientOptions('pub'));
    const subscriber = new Redis(options.url, clientOptions('sub'));
    for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      watchHealth(client, role, options.url, logger);
    }
    // Built before subscribing so its message listener is in place for the very first message.
    const backplane = new RedisBackplane(publisher, subscriber, channel, logger, origin);
    // connect() itself only rejects with "Connection is closed."; the reason (refused, timed out,
    // DNS) arrives as an 'error' event, so the first one is kept for the boot error.
    let bootError: Error | undefined;
    const keepFirst = (err: Error) => void (bootError ??= err);
    publisher.on('error', keepFirst);
    subscriber.on('error', keepFirst);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(channel);
    } catch (err) {
      await backplane.closeBus();
      throw unavailable('redis', options.url, bootError ?? err);
    } finally {
      publisher.off('error', keepFirst);
      subscriber.off('error', keepFirst);
    }
    booted = true;
    logger.info({ url: redactBusUrl(options.url), channel, origin }, 'backplane: redis connected');
    return backplane;
  }

  override connected(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  protected async send(payload: string): Promise<void> {
    await this.publisher.publish(this.channel, payload);
  }

  protected async closeBus(): Promise<void> {
    await Promise.all([disconnect(this.publisher), disconnect(this.subscriber)]);
  }
}

/**
 * One warning per outage (and a note when it ends) says what matters without flooding the log:
 * ioredis emits 'error' on every failed attempt, so errors are only remembered for the warning.
 * The listener also keeps ioredis from printing "Unhandled error event"; boot failures are
 * reported by connect(), and a deliberate disconnect never emits 'reconnecting'.
 */
function watchHealth(client: Redis, role: string, url: string, logger: BackplaneLogger): void {
  let healthy = true;
  let lastError: string | undefined;
  client.on('error', (err: Error) => {
    lastError = err.message;
  });
  client.on('reconnecting', () => {
    if (!healthy) return;
    healthy = false;
    logger.warn({ role, url: redactBusUrl(url), err: lastError }, 'backplane: lost the redis connection; retrying (events from other replicas are missed meanwhile)');
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info({ role }, 'backplane: redis connection restored');
  });
}
