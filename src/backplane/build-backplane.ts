import type { BackplaneConfig } from '../config/index.js';
import type { Backplane } from './backplane.js';
import { BackplaneUnavailableError } from './backplane-error.js';
import type { BackplaneLogger } from './backplane-logger.js';
import { MemoryBackplane } from './memory-backplane.js';

/** Loaded on demand: the bus clients add ~150 ms to every start-up that does not use them. */
async function connectBus(kind: 'redis' | 'valkey' | 'nats', url: string, logger: BackplaneLogger): Promise<Backplane> {
  if (kind === 'nats') {
    const { NatsBackplane } = await import('./nats-backplane.js');
    return NatsBackplane.connect({ url, logger });
  }
  const { RedisBackplane } = await import('./redis-backplane.js');
  return RedisBackplane.connect({ url, logger });
}

/**
 * The backplane configuration chose. A bus that cannot be reached fails the boot with
 * BackplaneUnavailableError: serving as if alone would silently drop every cross-replica event.
 */
export async function buildBackplane(config: BackplaneConfig, logger: BackplaneLogger): Promise<Backplane> {
  if (config.kind === 'memory') return new MemoryBackplane();
  try {
    return await connectBus(config.kind, config.url, logger);
  } catch (err) {
    if (!(err instanceof BackplaneUnavailableError)) throw err;
    throw new BackplaneUnavailableError(`${err.message} (SMOOTH_AGENT_BACKPLANE=${config.kind}, URL from ${config.urlVariable})`, { cause: err.cause });
  }
}
