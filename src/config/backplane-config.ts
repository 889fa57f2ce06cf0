import { ConfigError } from './config-error.js';

/** `valkey` is the Redis wire protocol under another name: it selects the same client. */
export type BackplaneKind = 'memory' | 'redis' | 'valkey' | 'nats';

export type BackplaneConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: Exclude<BackplaneKind, 'memory'>;
      /** May hold a password: log it only redacted. */
      readonly url: string;
      /** Which variable `url` came from, so a connection failure at boot can name it. */
      readonly urlVariable: string;
    };

const KINDS: readonly BackplaneKind[] = ['memory', 'redis', 'valkey', 'nats'];

/** The variables consulted for a kind's URL, most specific first. */
const URL_VARIABLES: Readonly<Record<Exclude<BackplaneKind, 'memory'>, readonly string[]>> = {
  redis: ['SMOOTH_AGENT_BACKPLANE_URL', 'SMOOTH_AGENT_REDIS_URL'],
  valkey: ['SMOOTH_AGENT_BACKPLANE_URL', 'SMOOTH_AGENT_REDIS_URL'],
  nats: ['SMOOTH_AGENT_BACKPLANE_URL', 'SMOOTH_AGENT_NATS_URL'],
};

const PROTOCOLS: Readonly<Record<Exclude<BackplaneKind, 'memory'>, readonly string[]>> = {
  redis: ['redis:', 'rediss:'],
  valkey: ['redis:', 'rediss:'],
  nats: ['nats:', 'tls:'],
};

/**
 * SMOOTH_AGENT_BACKPLANE and its URL. `read` returns a trimmed, non-empty value or undefined; URLs are
 * only read for a bus kind, and their values are never echoed because they may carry a password.
 */
export function backplaneConfig(read: (name: string) => string | undefined): BackplaneConfig {
  const raw = read('SMOOTH_AGENT_BACKPLANE')?.toLowerCase() ?? 'memory';
  const kind = KINDS.find((k) => k === raw);
  if (!kind) throw new ConfigError('SMOOTH_AGENT_BACKPLANE', `unknown backplane "${raw}"; use one of ${KINDS.join(', ')}`);
  if (kind === 'memory') return Object.freeze({ kind });
  const variables = URL_VARIABLES[kind];
  const urlVariable = variables.find((name) => read(name) !== undefined);
  const url = urlVariable === undefined ? undefined : read(urlVariable);
  if (urlVariable === undefined || url === undefined) {
    throw new ConfigError('SMOOTH_AGENT_BACKPLANE', `${kind} needs ${variables.join(' or ')}, e.g. ${kind === 'nats' ? 'nats://127.0.0.1:4222' : 'redis://127.0.0.1:6379'}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(urlVariable, 'not a valid URL (value not shown: it may contain a password)');
  }
  const protocols = PROTOCOLS[kind];
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(urlVariable, `${kind} needs a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got "${parsed.protocol}"`);
  }
  return Object.freeze({ kind, url, urlVariable });
}
