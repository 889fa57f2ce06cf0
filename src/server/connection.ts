import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { scopedTarget } from '../backplane/index.js';
import type { App } from '../app.js';
import { errorEvent, parseFrame, ProtocolError, type ServerEvent } from '../protocol/index.js';
import { dispatch } from './handlers/dispatch.js';
import { orgConnectionTarget } from './handlers/sessions.js';
import type { ConnectionIdentity } from './principal.js';
import { FrameRateGuard } from './rate-limit.js';
import { encodeTextFrames } from './text-frames.js';
import { TurnCancelled, type ActiveTurn } from './turn-slot.js';
import type { TurnTracker } from './turn-tracker.js';

export interface ConnectionOptions {
  id: string;
  app: App;
  identity: ConnectionIdentity;
  /** The upgrade request's Origin header ("" when absent): the page a widget claims to run on. */
  origin: string;
  tracker: TurnTracker;
  isDraining: () => boolean;
  /** Told once when the connection ends (one function shared by every connection, not a closure each). */
  onClose?: (connection: Connection) => void;
}

const UNLIMITED_FRAMES = new FrameRateGuard({ perSecond: 0, burst: 0, closeAfter: 0 });

/** Frames handled but not yet finished; past this a client is flooding us and gets RATE_LIMITED. */
const MAX_QUEUED_FRAMES = 256;

/** 1008 "policy violation": the close code for a client that keeps flooding after RATE_LIMITED. */
const POLICY_VIOLATION = 1008;

/**
 * Connections with frames waiting, flushed together by one setImmediate per event-loop turn rather
 * than one per connection (fifty streaming turns would otherwise schedule fifty).
 */
const pendingFlush = new Set<Connection>();
let flushScheduled = false;
function flushAll(): void {
  flushScheduled = false;
  // Taken out first: a flush can lead to more sends (a slow consumer's close), which queue afresh.
  const batch = [...pendingFlush];
  pendingFlush.clear();
  for (const connection of batch) connection.flush();
}

/**
 * The socket's listeners are these shared functions, finding their Connection on the socket, rather
 * than three closures per connection: ten thousand idle sockets keep only what each one needs.
 */
const OWNER = Symbol('connection');
type OwnedSocket = WebSocket & { [OWNER]?: Connection };
function onSocketMessage(this: OwnedSocket, data: Buffer, isBinary: boolean): void {
  this[OWNER]?.receive(data, isBinary);
}
function onSocketClose(this: OwnedSocket): void {
  this[OWNER]?.socketClosed();
}
function onSocketError(this: OwnedSocket, err: Error): void {
  const connection = this[OWNER];
  connection?.app.logger.debug({ conn: connection.id, err: err.message }, 'socket error');
}

/** One client socket: parses frames, runs them in arrival order, and owns the connection's turn slot. */
export class Connection {
  readonly id: string;
  readonly app: App;
  readonly identity: ConnectionIdentity;
  readonly origin: string;
  readonly tracker: TurnTracker;
  activeTurn: ActiveTurn | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private readonly rate: FrameRateGuard;
  /** Frames serialized since the last flush; written together, in order, at the end of this tick. */
  private outbox: string[] = [];
  /** The TCP socket under the WebSocket: a batch of frames is written to it as one buffer (or corked through ws). */
  private readonly transport: Duplex | undefined;
  /** Run once when the socket goes away (e.g. an operator console's presence); made on the first hook. */
  private closeHooks: Array<() => void> | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.id = options.id;
    this.app = options.app;
    this.identity = options.identity;
    this.origin = options.origin;
    this.tracker = options.tracker;
    // With the limit off every connection shares one guard that admits everything.
    this.rate =
      this.app.config.maxFramesPerSec > 0
        ? new FrameRateGuard({
            perSecond: this.app.config.maxFramesPerSec,
            burst: this.app.config.frameBurst,
            closeAfter: this.app.config.rateLimitCloseAfter,
          })
        : UNLIMITED_FRAMES;
    // ws keeps its net.Socket on `_socket`; without it frames are still batched, sent one by one through ws.
    this.transport = (socket as unknown as { _socket?: Duplex })._socket;
    (socket as OwnedSocket)[OWNER] = this;
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    this.app.backplane.attach(this.id, this.deliver);
    const access = this.identity.access;
    if (this.identity.authenticated && access.userId !== undefined) {
      this.app.backplane.associate(this.id, scopedTarget(access.organizationId, { type: 'user', id: access.userId }));
      this.app.backplane.associate(this.id, { type: 'org', id: access.organizationId });
      this.app.backplane.associate(this.id, orgConnectionTarget(access.organizationId, this.id));
    }
  }

  /** Pushes an event published through the backplane (e.g. by /admin/publish); bound, as the backplane's sink. */
  readonly deliver = (event: object): void => {
    this.send(event as ServerEvent);
  };

  onClosed(hook: () => void): void {
    if (this.closed) hook();
    else (this.closeHooks ??= []).push(hook);
  }

  get draining(): boolean {
    return this.options.isDraining();
  }

  /**
   * Queues a frame. Everything sent in one event-loop turn (a burst of tokens parsed from one read of
   * the gateway stream, a token and the turn's last event) goes out in one write at the end of that
   * turn: setImmediate runs right after the I/O that produced the frames, so the first token is not
   * held back behind anything but the work already in hand.
   */
  send(event: ServerEvent): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    this.outbox.push(JSON.stringify(event));
    if (this.outbox.length === 1) pendingFlush.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  /** Writes the queued frames in one batch (called at the end of the tick, or before a close). */
  flush(): void {
    const frames = this.outbox;
    if (frames.length === 0) return;
    this.outbox = [];
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    const transport = this.transport;
    if (transport && this.socket.extensions === '') {
      // No extension negotiated (the server offers none), so a frame is only header + payload and ws's
      // sender never queues: the whole batch goes to the TCP socket as one buffer, in order with
      // anything ws itself writes (a close frame) since both write to it synchronously.
      transport.write(encodeTextFrames(frames));
    } else {
      transport?.cork();
      try {
        for (const frame of frames) this.socket.send(frame);
      } finally {
        transport?.uncork();
      }
    }
    // A client that stops reading must not make us buffer without bound; everyone else is unaffected.
    if (this.socket.bufferedAmount > this.app.config.maxBufferedBytes) {
      this.app.logger.warn({ conn: this.id, buffered: this.socket.bufferedAmount }, 'slow consumer disconnected');
      this.socket.terminate();
      this.onClose();
    }
  }

  sendError(requestId: string | undefined, err: unknown): void {
    if (err instanceof ProtocolError) {
      this.send(errorEvent(requestId, { code: err.code, message: err.message }, Date.now()));
      return;
    }
    this.app.logger.error({ conn: this.id, err }, 'unhandled error in action handler');
    this.send(errorEvent(requestId, { code: 'INTERNAL_ERROR', message: 'internal error' }, Date.now()));
  }

  /** @internal the socket's message listener. */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    // Every frame counts, malformed ones included: they cost parsing too.
    const verdict = this.rate.admit();
    const parsed = parseFrame(data, isBinary);
    if (verdict !== 'accept') {
      this.send(errorEvent(parsed.requestId, { code: 'RATE_LIMITED', message: 'too many frames; slow down' }, Date.now()));
      if (verdict === 'close') {
        this.app.logger.warn({ conn: this.id }, 'closing a connection that kept sending while rate limited');
        this.close(POLICY_VIOLATION, 'rate limit exceeded');
      }
      return;
    }
    if (!parsed.ok) {
      this.send(errorEvent(parsed.requestId, parsed.error, Date.now()));
      return;
    }
    if (this.queued >= MAX_QUEUED_FRAMES) {
      this.send(errorEvent(parsed.requestId, { code: 'RATE_LIMITED', message: 'too many frames in flight on this connection' }, Date.now()));
      return;
    }
    this.queued++;
    // Frames run one after another so a get_session right behind a create sees the session.
    this.queue = this.queue
      // A frame still queued when the socket closed (a disconnect, or an abuse close) has nobody to answer.
      .then(() => (this.closed ? undefined : dispatch(this, parsed.action, parsed.requestId)))
      .catch((err: unknown) => this.sendError(parsed.requestId, err))
      .finally(() => {
        this.queued--;
      });
  }

  /** @internal the socket's close listener. */
  socketClosed(): void {
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.app.backplane.detach(this.id);
    this.activeTurn?.controller.abort(new TurnCancelled('disconnect'));
    this.activeTurn = undefined;
    const hooks = this.closeHooks;
    this.closeHooks = undefined;
    if (hooks) for (const hook of hooks) hook();
    this.options.onClose?.(this);
  }

  close(code: number, reason: string): void {
    // What was already said (the RATE_LIMITED before an abuse close, a turn's last event) goes first.
    this.flush();
    this.onClose();
    this.socket.close(code, reason);
  }
}
