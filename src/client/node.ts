/**
 * The Node entry of `smooth-operator/client` (chosen by the `node` export condition). Same API as
 * the browser entry; when the runtime has no global WebSocket (Node 20) sockets come from `ws`.
 */
import { WebSocket } from 'ws';
import { connect as connectWith, createClient as createWith, type ClientOptions, type SmoothAgentClient } from './client.js';
import { globalSocketFactory, type SocketFactory } from './socket.js';

export * from './index.js';

/** A SocketFactory backed by the `ws` package. */
export function wsSocketFactory(): SocketFactory {
  return (url, handlers) => {
    const socket = new WebSocket(url);
    socket.on('open', () => handlers.onOpen());
    socket.on('message', (data, isBinary) => {
      if (!isBinary) handlers.onMessage(data.toString());
    });
    socket.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
    socket.on('error', () => handlers.onError());
    return {
      send: (text) => socket.send(text),
      close: (code, reason) => socket.close(code, reason),
    };
  };
}

function withNodeSockets<T extends ClientOptions>(options: T): T {
  return { ...options, socketFactory: options.socketFactory ?? globalSocketFactory() ?? wsSocketFactory() };
}

export function createClient(options: ClientOptions): SmoothAgentClient {
  return createWith(withNodeSockets(options));
}

export function connect(options: ClientOptions & { connectTimeoutMs?: number }): Promise<SmoothAgentClient> {
  return connectWith(withNodeSockets(options));
}
