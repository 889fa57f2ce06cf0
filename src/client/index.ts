/**
 * `smooth-operator/client`: a typed client for the smooth-operator WebSocket protocol.
 * Browser-safe: nothing here imports a Node built-in (the Node entry, `node.ts`, adds the `ws` transport).
 */
export { SmoothAgentClient, createClient, connect } from './client.js';
export type { ClientOptions, ClientEvents, ResumedConfirmResult, SessionChange } from './client.js';
export { Turn } from './turn.js';
export type { TurnStatus } from './turn.js';
export { SmoothAgentError, isSmoothAgentError } from './errors.js';
export type { ClientErrorCode, SmoothAgentErrorCode } from './errors.js';
export { backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export type { ConnectionState, ConnectionStatus, HeartbeatOptions } from './connection.js';
export { whatwgSocketFactory, globalSocketFactory } from './socket.js';
export type { SocketFactory, SocketHandlers, SocketLike, WhatwgWebSocket, WhatwgWebSocketConstructor } from './socket.js';
export { asAgentEvent, requestIdOf, tokenOf, replyOf, toolActivityOf } from './events.js';
export type * from './events.js';
export type * from './payloads.js';
