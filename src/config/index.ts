export type { Config, RetrievalConfig, GatewayConfig, StorageKind, AuthMode, DynamoConfig } from './config.js';
export { ConfigError } from './config-error.js';
export type { BackplaneConfig, BackplaneKind } from './backplane-config.js';
export { loadConfig, defaultConfig, DEFAULTS } from './load-config.js';
export type { Env, LoadConfigOptions } from './load-config.js';
export { readJsonObjectFile } from './read-json-object-file.js';
