interface Waiter<T> {
  resolve(outcome: T): void;
  reject(reason: unknown): void;
}

/**
 * Turns of this process parked on a person (an approval, an interaction), one per session. The
 * durable record lives in storage; this only wakes the waiting turn, and a resolution that finds no
 * waiter here is the caller's cue to resume the turn from its checkpoint.
 */
export class ParkedTurns<T> {
  private readonly waiters = new Map<string, Waiter<T>>();

  /**
   * @param timedOut what a waiter gets when nobody answers in time
   * @param superseded what an older waiter of the same session gets when a newer turn parks
   */
  constructor(
    private readonly timedOut: T,
    private readonly superseded: T,
  ) {}

  wait(sessionId: string, timeoutMs: number, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.waiters.get(sessionId) === waiter) this.waiters.delete(sessionId);
        settle();
      };
      const waiter: Waiter<T> = {
        resolve: (outcome) => finish(() => resolve(outcome)),
        reject: (reason) => finish(() => reject(reason)),
      };
      const timer = setTimeout(() => waiter.resolve(this.timedOut), timeoutMs);
      const onAbort = () => finish(() => reject(signal.reason));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.get(sessionId)?.resolve(this.superseded);
      this.waiters.set(sessionId, waiter);
    });
  }

  hasWaiter(sessionId: string): boolean {
    return this.waiters.has(sessionId);
  }

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Stops every parked turn in this process as if aborted with `reason` (shutdown): waiting for a
   * person would hold the drain, and durable records let the turn resume after the restart.
   */
  releaseAll(reason: unknown): number {
    const waiting = [...this.waiters.values()];
    for (const waiter of waiting) waiter.reject(reason);
    return waiting.length;
  }

  /** Wakes the session's waiter with `outcome`; false when no turn in this process waits for it. */
  protected settle(sessionId: string, outcome: T): boolean {
    const waiter = this.waiters.get(sessionId);
    if (!waiter) return false;
    waiter.resolve(outcome);
    return true;
  }
}
