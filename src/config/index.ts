export type { Config, GatewayConfig, StorageKind, AuthMode } from './config.js';
export { ConfigError } from './config-error.js';
export { loadConfig, defaultConfig, DEFAULTS } from './load-config.js';
export type { Env } from './load-config.js';
