/**
 * A token bucket: holds at most `burst` tokens, refills `perSecond` tokens a second, and each frame
 * takes one. A client may send `burst` frames at once, then `perSecond` frames a second sustained.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.last) / 1000) * this.perSecond);
    this.last = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The window in which rate-limited frames are counted towards closing the socket. */
export const ABUSE_WINDOW_MS = 10_000;

export type FrameVerdict = 'accept' | 'limit' | 'close';

export interface FrameRateOptions {
  /** Sustained frames per second; 0 disables the limit entirely. */
  perSecond: number;
  burst: number;
  /** Rate-limited frames within ABUSE_WINDOW_MS that mark sustained abuse; 0 never closes. */
  closeAfter: number;
  now?: () => number;
}

/**
 * Per-connection inbound frame policy. Over the rate a frame is refused (the client is told
 * RATE_LIMITED and may slow down); a client that keeps going after being told is abusive and gets
 * disconnected, so a flood costs us a bounded number of error replies.
 */
export class FrameRateGuard {
  private readonly bucket: TokenBucket | undefined;
  private readonly now: () => number;
  private strikes = 0;
  private windowStart: number;

  constructor(private readonly options: FrameRateOptions) {
    this.now = options.now ?? performance.now.bind(performance);
    this.bucket = options.perSecond > 0 ? new TokenBucket(options.perSecond, options.burst, this.now) : undefined;
    this.windowStart = this.now();
  }

  admit(): FrameVerdict {
    if (!this.bucket || this.bucket.take()) return 'accept';
    const at = this.now();
    if (at - this.windowStart > ABUSE_WINDOW_MS) {
      this.windowStart = at;
      this.strikes = 0;
    }
    this.strikes++;
    return this.options.closeAfter > 0 && this.strikes > this.options.closeAfter ? 'close' : 'limit';
  }
}
