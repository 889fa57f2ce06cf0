export * from './actions.js';
export * from './events.js';
export * from './event-builders.js';
export * from './error-codes.js';
export * from './parse-frame.js';
