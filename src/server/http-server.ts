import { newId } from './ids.js';
import { serveMetrics, serveReadiness } from './observability-routes.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { handleAdmin } from '../admin/admin-router.js';
import type { App } from '../app.js';
import { Connection } from './connection.js';
import { HttpError, sendError } from './http-io.js';
import { anonymousIdentity, principalIdentity, type ConnectionIdentity } from './principal.js';
import { ConnectionsPerIp } from './rate-limit-ip.js';
import { ShutdownRelease, TurnCancelled } from './turn-slot.js';
import { TurnTracker } from './turn-tracker.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { widgetRoutes } from './widget-routes.js';
import { consoleRoutes } from './console-routes.js';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly wsUrl: string;
  /** Stops accepting, lets in-flight turns finish (up to the drain timeout), then closes every socket. */
  close(): Promise<void>;
}

/** The raw socket's error listener during and after the upgrade (shared: `this` is the socket). */
function destroySocket(this: Socket): void {
  this.destroy();
}

/** 1001 "going away": the standard close code for a server shutting down. */
const GOING_AWAY = 1001;

export async function startServer(app: App): Promise<RunningServer> {
  const { config, logger } = app;
  const tracker = new TurnTracker();
  const connections = new Set<Connection>();
  const perIp = new ConnectionsPerIp(config.maxConnectionsPerIp);
  let draining = false;

  // clientTracking off: `connections` already tracks every socket, and ws's own Set would add a
  // Set entry and a close listener per socket. perMessageDeflate stays off (ws's server default):
  // a zlib context per socket would cost far more memory than the small JSON frames save.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayloadBytes, clientTracking: false, perMessageDeflate: false });

  const widget = config.serveWidget ? widgetRoutes({ token: config.widgetToken, logger }) : undefined;
  const operatorConsole = consoleRoutes({ logger });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    if (pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (pathname === '/ready' && (req.method === 'GET' || req.method === 'HEAD')) {
      await serveReadiness(app, res, draining);
      return;
    }
    if (pathname === '/metrics' && req.method === 'GET' && app.telemetry.metrics) {
      await serveMetrics(app.telemetry.metrics, config.observability.metricsToken, req, res);
      return;
    }
    if (pathname === '/admin' || pathname.startsWith('/admin/')) {
      await handleAdmin(app, req, res, pathname, url.searchParams);
      return;
    }
    if (widget && (await widget(req, res, pathname))) return;
    if (pathname === '/console' || pathname.startsWith('/console/')) {
      if (await operatorConsole(req, res, pathname)) return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  }

  const http = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendError(res, err);
      logger.error({ err }, 'unhandled HTTP error');
      sendError(res, new HttpError(500, 'INTERNAL_ERROR', 'internal error'));
    });
  });

  /** Verifies `?token=` once, at the upgrade. Undefined means the upgrade must be refused (strict mode). */
  async function identify(url: URL): Promise<ConnectionIdentity | undefined> {
    const token = url.searchParams.get('token')?.trim() ?? '';
    if (token === '') return config.strictAuth ? undefined : anonymousIdentity(config.defaultOrgId);
    try {
      return principalIdentity(await app.auth.verify(token));
    } catch (err) {
      // Never the token itself: only why it failed.
      logger.warn({ reason: (err as Error).message }, 'WebSocket token rejected');
      return config.strictAuth ? undefined : anonymousIdentity(config.defaultOrgId);
    }
  }

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' || draining) {
      socket.end(`HTTP/1.1 ${draining ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    destroyOnError(socket);
    // The slot is held from here until the TCP socket closes, whether the upgrade succeeds or not.
    const ip = socket.remoteAddress ?? '';
    if (!perIp.acquire(ip)) {
      // debug, not warn: a refused flood must not turn into a log flood.
      logger.debug({ ip }, 'WebSocket upgrade refused: too many connections from this address');
      socket.end('HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ntoo many connections');
      return;
    }
    releaseOnClose(socket, ip);
    void identify(url).then((identity) => {
      if (!identity) {
        socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nunauthorized');
        return;
      }
      if (socket.destroyed) return;
      upgrade(req, socket, head, identity);
    });
  });

  // The listeners a socket keeps for its whole life are made in functions of their own: a closure
  // made inside the upgrade handler would keep that handler's request, head buffer and URL alive
  // for as long as the connection lasts (a few KB per idle socket).
  function destroyOnError(socket: Socket): void {
    socket.on('error', destroySocket);
  }

  function releaseOnClose(socket: Socket, ip: string): void {
    socket.once('close', () => perIp.release(ip));
  }

  const isDraining = () => draining;

  function upgrade(req: IncomingMessage, socket: Socket, head: Buffer, identity: ConnectionIdentity): void {
    const origin = req.headers.origin ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => adopt(ws, identity, origin));
  }

  // One function for every connection's end, not a closure per socket.
  const forget = (connection: Connection): void => {
    connections.delete(connection);
    app.telemetry.metrics?.openSockets.dec();
  };

  function adopt(ws: WebSocket, identity: ConnectionIdentity, origin: string): void {
    const connection = new Connection(ws, { id: newId(), app, identity, origin, tracker, isDraining, onClose: forget });
    connections.add(connection);
    app.telemetry.metrics?.openSockets.inc();
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.bind, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      // A turn parked on a human would only hold the drain. With durable approvals it is stopped with
      // its approval and checkpoint kept, and a confirm after the restart finishes it; in memory
      // nothing survives, so its client is told the turn ended. Turns that park during the drain too.
      const durable = !(app.storage instanceof MemoryStorage);
      const releaseParked = () => {
        const released = app.approvals.releaseAll(new ShutdownRelease(durable)) + app.interactions.broker.releaseAll(new ShutdownRelease(durable));
        if (released > 0) {
          logger.info({ turns: released, resumable: durable }, durable ? 'released turns parked on approval; they resume after restart' : 'ended turns parked on approval');
        }
      };
      const releaser = setInterval(releaseParked, 100);
      releaseParked();
      if (tracker.size > 0) {
        logger.info({ turns: tracker.size }, 'draining in-flight turns');
        const finished = await tracker.drain(config.drainTimeoutMs);
        if (!finished) {
          logger.warn({ turns: tracker.size }, 'drain timeout reached; aborting remaining turns');
          tracker.abortAll(new TurnCancelled('shutdown'));
          await tracker.drain(1000);
        }
      }
      clearInterval(releaser);
      for (const connection of connections) connection.close(GOING_AWAY, 'server shutting down');
      wss.close();
      http.closeAllConnections();
      await stopped;
      await app.close();
    })();
    return closing;
  };

  return { host, port: address.port, wsUrl: `ws://${host}:${address.port}/ws`, close };
}
