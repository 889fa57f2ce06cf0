export type { Backplane, Target, TargetType, Sink } from './backplane.js';
export { targetKey, scopedTarget } from './backplane.js';
export { MemoryBackplane } from './memory-backplane.js';
