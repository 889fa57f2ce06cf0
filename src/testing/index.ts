export * from './scripted-gateway.js';
