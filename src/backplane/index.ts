export type { Backplane, Target, TargetType, Sink } from './backplane.js';
export { targetKey, scopedTarget } from './backplane.js';
export { MemoryBackplane } from './memory-backplane.js';
// The Redis and NATS backplanes are not re-exported here, so that importing this seam does not load
// their clients: buildBackplane loads the one configured, and code that needs a class imports its file.
export { BusBackplane } from './bus-backplane.js';
export { BackplaneUnavailableError } from './backplane-error.js';
export type { BackplaneLogger } from './backplane-logger.js';
export { encodeEnvelope, decodeEnvelope, type BackplaneEnvelope } from './envelope.js';
export { buildBackplane } from './build-backplane.js';
