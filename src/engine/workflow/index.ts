export * from './workflow.js';
export * from './judge.js';
