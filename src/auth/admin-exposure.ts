import ipaddr from 'ipaddr.js';
import { ConfigError } from '../config/index.js';
import type { Config } from '../config/index.js';

/** True for `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped): addresses no other host can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/**
 * AUTH_MODE=none makes every bearer token an admin. That is a development convenience on one's own
 * machine, and a takeover anywhere else: refuse to listen beyond loopback unless explicitly accepted.
 */
export function assertAdminExposure(config: Pick<Config, 'authMode' | 'bind' | 'allowInsecureAdmin'>): void {
  if (config.authMode !== 'none' || config.allowInsecureAdmin || isLoopbackHost(config.bind)) return;
  throw new ConfigError(
    'SMOOTH_AGENT_ALLOW_INSECURE_ADMIN',
    `AUTH_MODE=none makes any bearer token an admin, so it only listens on loopback; SMOOTH_AGENT_BIND is "${config.bind}". ` +
      'Use AUTH_MODE=jwt, bind 127.0.0.1, or set SMOOTH_AGENT_ALLOW_INSECURE_ADMIN=1 to accept the risk',
  );
}
