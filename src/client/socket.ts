/**
 * The transport seam. The SDK talks to a socket only through these two small interfaces, so the
 * same code runs on the browser's WebSocket, on the `ws` package in Node (see `node.ts`), or on
 * anything a host supplies — and the browser bundle never pulls in a Node built-in.
 */
export interface SocketHandlers {
  onOpen(): void;
  /** Text frames only: the protocol never uses binary frames. */
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
  onError(): void;
}

export interface SocketLike {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** The slice of the WHATWG WebSocket the factory uses; declared here so no DOM typings are needed. */
export interface WhatwgWebSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WhatwgWebSocketConstructor = new (url: string) => WhatwgWebSocket;

/** Adapts a WHATWG WebSocket constructor (the browser's, Node 22's, or a polyfill). */
export function whatwgSocketFactory(WebSocketImpl: WhatwgWebSocketConstructor): SocketFactory {
  return (url, handlers) => {
    const socket = new WebSocketImpl(url);
    socket.onopen = () => handlers.onOpen();
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') handlers.onMessage(event.data);
    };
    socket.onclose = (event) => handlers.onClose(event.code, event.reason);
    socket.onerror = () => handlers.onError();
    return socket;
  };
}

/** The runtime's global WebSocket, when it has one (browsers; Node ≥ 22). */
export function globalSocketFactory(): SocketFactory | undefined {
  const candidate = (globalThis as { WebSocket?: WhatwgWebSocketConstructor }).WebSocket;
  return typeof candidate === 'function' ? whatwgSocketFactory(candidate) : undefined;
}
