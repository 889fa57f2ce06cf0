import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { SocketFactory, SocketLike } from './socket.js';

/**
 * - `connecting`: first attempt in progress.
 * - `open`: frames flow.
 * - `reconnecting`: the socket was lost (or an attempt failed); another attempt is scheduled or running.
 * - `closed`: closed by the owner, or out of attempts. Terminal.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Retries made since the socket was last open (or since the start); 0 while open. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while `reconnecting` and waiting. */
  retryAt?: number;
}

export interface HeartbeatOptions {
  /** Send a ping after this long without any frame from the server. Default 25 s; 0 disables. */
  intervalMs?: number;
  /** Give the socket up for dead when nothing arrives this long after the ping. Default 10 s. */
  timeoutMs?: number;
}

export interface ConnectionOptions {
  url: string;
  socketFactory: SocketFactory;
  backoff?: BackoffOptions;
  /** Retries (after a failed first attempt or a lost socket) before giving up (state `closed`). Default: never give up. */
  maxAttempts?: number;
  heartbeat?: HeartbeatOptions;
  /** Builds the heartbeat frame; the client supplies a `ping` with a fresh requestId. */
  heartbeatFrame: () => string;
  onText(text: string): void;
  onStatus(status: ConnectionStatus): void;
  /** The socket opened; `resumed` is false only for the very first open. */
  onOpen(resumed: boolean): void;
  /** The open socket was lost (not called for attempts that never opened). */
  onLost(): void;
}

type Timer = ReturnType<typeof setTimeout>;

/** Close code we use when we give a silent socket up; 4000–4999 is the application range. */
const HEARTBEAT_CLOSE = 4000;
const NORMAL_CLOSE = 1000;

/**
 * One logical connection that survives socket loss: it reopens with backoff until closed, and
 * detects a silently dead socket (no frames, no close — e.g. a laptop waking from sleep) with an
 * application-level ping, since browsers do not expose WebSocket ping frames.
 */
export class ReconnectingConnection {
  private socket: SocketLike | undefined;
  private status: ConnectionStatus = { state: 'connecting', attempt: 0 };
  private everOpened = false;
  private retryTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private lastFrameAt = 0;
  private pingSentAt: number | undefined;
  private readonly openWaiters = new Set<() => void>();

  constructor(private readonly options: ConnectionOptions) {
    this.dial();
  }

  get state(): ConnectionState {
    return this.status.state;
  }

  get snapshot(): ConnectionStatus {
    return { ...this.status };
  }

  /** Sends when open; returns false (and sends nothing) otherwise. */
  send(text: string): boolean {
    if (this.status.state !== 'open' || !this.socket) return false;
    this.socket.send(text);
    return true;
  }

  /** Resolves when the socket is open; rejects after `timeoutMs` or when the connection closes for good. */
  whenOpen(timeoutMs: number): Promise<void> {
    if (this.status.state === 'open') return Promise.resolve();
    if (this.status.state === 'closed') return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.openWaiters.delete(done);
        if (this.status.state === 'open') resolve();
        else reject(new Error(this.status.state === 'closed' ? 'closed' : 'timeout'));
      };
      const timer = setTimeout(done, timeoutMs);
      this.openWaiters.add(done);
    });
  }

  /** Skips the remaining backoff wait (e.g. the browser just came back online). */
  reconnectNow(): void {
    if (this.status.state !== 'reconnecting' || this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dial();
  }

  close(): void {
    if (this.status.state === 'closed') return;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.detach();
    socket?.close(NORMAL_CLOSE, 'client closed');
    this.setStatus({ state: 'closed', attempt: this.status.attempt });
  }

  private dial(): void {
    this.retryTimer = undefined;
    let socket: SocketLike | undefined;
    // Events of a socket we have already given up on are ignored; a late close must not
    // tear down its successor.
    const current = () => socket !== undefined && this.socket === socket;
    try {
      socket = this.options.socketFactory(this.options.url, {
        onOpen: () => {
          if (current()) this.opened();
        },
        onMessage: (text) => {
          if (!current()) return;
          this.lastFrameAt = Date.now();
          this.pingSentAt = undefined;
          this.options.onText(text);
        },
        onClose: () => {
          if (current()) this.lost();
        },
        // An error is always followed by a close; reconnecting happens there.
        onError: () => {},
      });
      this.socket = socket;
    } catch {
      // A malformed URL or a refused constructor is one more failed attempt, not a crash.
      this.socket = undefined;
      this.scheduleRetry(false);
    }
  }

  private opened(): void {
    const resumed = this.everOpened;
    this.everOpened = true;
    this.lastFrameAt = Date.now();
    this.pingSentAt = undefined;
    this.setStatus({ state: 'open', attempt: 0 });
    this.startHeartbeat();
    this.options.onOpen(resumed);
  }

  private lost(): void {
    const wasOpen = this.status.state === 'open';
    this.detach();
    if (wasOpen) this.options.onLost();
    this.scheduleRetry(wasOpen);
  }

  private detach(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.socket = undefined;
  }

  /** Schedules retry number `attempt`; losing an open socket starts the count (and the delays) over. */
  private scheduleRetry(wasOpen: boolean): void {
    if (this.status.state === 'closed') return;
    const done = wasOpen ? 0 : this.status.attempt;
    const max = this.options.maxAttempts;
    if (max !== undefined && done >= max) {
      this.setStatus({ state: 'closed', attempt: done });
      return;
    }
    const attempt = done + 1;
    // The first retry waits the shortest delay: most drops are one-offs.
    const delay = backoffDelay(attempt - 1, this.options.backoff);
    this.setStatus({ state: this.everOpened ? 'reconnecting' : 'connecting', attempt, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.dial(), delay);
  }

  private startHeartbeat(): void {
    const interval = this.options.heartbeat?.intervalMs ?? 25_000;
    if (interval <= 0) return;
    const timeout = this.options.heartbeat?.timeoutMs ?? 10_000;
    const tick = Math.max(50, Math.min(interval, timeout) / 2);
    const check = () => {
      const now = Date.now();
      if (this.pingSentAt !== undefined && now - this.pingSentAt >= timeout) {
        const socket = this.socket;
        this.lost();
        socket?.close(HEARTBEAT_CLOSE, 'heartbeat timeout');
        return;
      }
      if (this.pingSentAt === undefined && now - this.lastFrameAt >= interval) {
        this.pingSentAt = now;
        this.send(this.options.heartbeatFrame());
      }
      this.heartbeatTimer = setTimeout(check, tick);
    };
    this.heartbeatTimer = setTimeout(check, tick);
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.options.onStatus({ ...status });
    if (status.state === 'open' || status.state === 'closed') {
      for (const waiter of [...this.openWaiters]) waiter();
    }
  }
}
