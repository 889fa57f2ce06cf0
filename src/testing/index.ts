export * from './scripted-gateway.js';
export * from './retrieval-endpoints.js';
