import { WebSocket } from 'ws';
import type { App } from '../app.js';
import { errorEvent, parseFrame, ProtocolError, type ServerEvent } from '../protocol/index.js';
import { dispatch } from './handlers/dispatch.js';
import type { ConnectionIdentity } from './principal.js';
import { TurnCancelled, type ActiveTurn } from './turn-slot.js';
import type { TurnTracker } from './turn-tracker.js';

export interface ConnectionOptions {
  id: string;
  app: App;
  identity: ConnectionIdentity;
  tracker: TurnTracker;
  isDraining: () => boolean;
}

/** Frames handled but not yet finished; past this a client is flooding us and gets RATE_LIMITED. */
const MAX_QUEUED_FRAMES = 256;

/** One client socket: parses frames, runs them in arrival order, and owns the connection's turn slot. */
export class Connection {
  readonly id: string;
  readonly app: App;
  readonly identity: ConnectionIdentity;
  readonly tracker: TurnTracker;
  activeTurn: ActiveTurn | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.id = options.id;
    this.app = options.app;
    this.identity = options.identity;
    this.tracker = options.tracker;
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => this.app.logger.debug({ conn: this.id, err: err.message }, 'socket error'));
  }

  get draining(): boolean {
    return this.options.isDraining();
  }

  send(event: ServerEvent): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(event));
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

  private receive(data: Buffer, isBinary: boolean): void {
    const parsed = parseFrame(data, isBinary);
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
      .then(() => dispatch(this, parsed.action, parsed.requestId))
      .catch((err: unknown) => this.sendError(parsed.requestId, err))
      .finally(() => {
        this.queued--;
      });
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.activeTurn?.controller.abort(new TurnCancelled('disconnect'));
    this.activeTurn = undefined;
  }

  close(code: number, reason: string): void {
    this.onClose();
    this.socket.close(code, reason);
  }
}
