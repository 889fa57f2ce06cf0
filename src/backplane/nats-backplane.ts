import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { redactBusUrl, unavailable } from './backplane-error.js';
import { silentBackplaneLogger, type BackplaneLogger } from './backplane-logger.js';
import { BusBackplane } from './bus-backplane.js';

/** The reference server's subject: replicas of either implementation can share one NATS. */
export const NATS_BACKPLANE_SUBJECT = 'smooth-operator.backplane';

export interface NatsBackplaneOptions {
  /** `nats://[user:pass@|token@]host:port`, or `tls://…` for TLS. */
  url: string;
  logger?: BackplaneLogger;
  /** Another subject keeps separate deployments (or test runs) on one server apart. */
  subject?: string;
  /** How long the boot waits for the server before failing. */
  connectTimeoutMs?: number;
  origin?: string;
}

/**
 * The NATS client takes servers as `host:port` and credentials as options; it does not read them
 * from a URL, so they are lifted out here (a lone user part is a token, as nats-server reads it).
 */
export function natsConnectionOptions(url: string): NodeConnectionOptions {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return {
    servers: `${parsed.hostname}:${parsed.port || '4222'}`,
    ...(user && pass ? { user, pass } : user ? { token: user } : {}),
    ...(parsed.protocol === 'tls:' ? { tls: {} } : {}),
  };
}

/** Core NATS pub/sub (no JetStream): like Redis, an event is for whoever is connected now. */
export class NatsBackplane extends BusBackplane {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly subject: string,
    logger: BackplaneLogger,
    origin: string,
  ) {
    super(logger, origin);
  }

  private up = true;

  override connected(): boolean {
    return this.up && !this.connection.isClosed();
  }

  /** Connects and subscribes; throws BackplaneUnavailableError (URL redacted) when the server cannot be reached. */
  static async connect(options: NatsBackplaneOptions): Promise<NatsBackplane> {
    const logger = options.logger ?? silentBackplaneLogger;
    const origin = options.origin ?? randomUUID();
    const subject = options.subject ?? NATS_BACKPLANE_SUBJECT;
    let connection: NatsConnection;
    try {
      connection = await connect({
        ...natsConnectionOptions(options.url),
        name: `smooth-operator:backplane:${origin}`,
        timeout: options.connectTimeoutMs ?? 5_000,
        // Once up, ride out outages for as long as they last; the boot attempt above fails fast instead.
        reconnect: true,
        maxReconnectAttempts: -1,
      });
    } catch (err) {
      throw unavailable('nats', options.url, err);
    }
    const backplane = new NatsBackplane(connection, subject, logger, origin);
    connection.subscribe(subject, {
      callback: (err, msg) => {
        if (err) logger.warn({ err: err.message }, 'backplane: nats subscription error');
        else backplane.receive(msg.string());
      },
    });
    try {
      // The server has registered the subscription once a flush round-trips: from here on, nothing is missed.
      await connection.flush();
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw unavailable('nats', options.url, err);
    }
    void watchHealth(connection, logger, (up) => (backplane.up = up));
    logger.info({ url: redactBusUrl(options.url), subject, origin }, 'backplane: nats connected');
    return backplane;
  }

  protected async send(payload: string): Promise<void> {
    // Buffered by the client (also while it reconnects); throws when closed or over max_payload.
    this.connection.publish(this.subject, payload);
  }

  protected async closeBus(): Promise<void> {
    await this.connection.close();
  }
}

/** Outages are logged once each way; the client resubscribes by itself on reconnect. */
async function watchHealth(connection: NatsConnection, logger: BackplaneLogger, onChange: (up: boolean) => void): Promise<void> {
  try {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') onChange(false);
      else if (status.type === 'reconnect') onChange(true);
      if (status.type === 'disconnect') {
        logger.warn({ server: status.server }, 'backplane: lost the nats connection; retrying (events from other replicas are missed meanwhile)');
      } else if (status.type === 'reconnect') {
        logger.info({ server: status.server }, 'backplane: nats connection restored');
      }
    }
  } catch {
    // The iterator ends, or fails, only when the connection is closed: nothing left to watch.
  }
}
