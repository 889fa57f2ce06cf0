export type { Storage } from './storage.js';
export type * from './types.js';
export { MemoryStorage } from './memory-storage.js';
