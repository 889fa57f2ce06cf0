export type ApprovalOutcome = 'approved' | 'denied' | 'timeout';

interface Waiter {
  resolve(outcome: ApprovalOutcome): void;
  reject(reason: unknown): void;
}

/**
 * Connects a confirm_tool_action to the turn parked in this process. The durable record is the
 * PendingApproval in storage; this only wakes the waiting turn.
 */
export class ApprovalBroker {
  private readonly waiters = new Map<string, Waiter>();

  wait(sessionId: string, timeoutMs: number, signal: AbortSignal): Promise<ApprovalOutcome> {
    return new Promise<ApprovalOutcome>((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.waiters.get(sessionId) === waiter) this.waiters.delete(sessionId);
        settle();
      };
      const waiter: Waiter = {
        resolve: (outcome) => finish(() => resolve(outcome)),
        reject: (reason) => finish(() => reject(reason)),
      };
      const timer = setTimeout(() => waiter.resolve('timeout'), timeoutMs);
      const onAbort = () => finish(() => reject(signal.reason));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.get(sessionId)?.resolve('denied');
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
   * Stops every parked turn in this process as if aborted with `reason`. Used on shutdown when the
   * approvals are durable: waiting for a human would hold the drain, and a confirm after the restart
   * resumes the turn from its checkpoint anyway.
   */
  releaseAll(reason: unknown): number {
    const waiting = [...this.waiters.values()];
    for (const waiter of waiting) waiter.reject(reason);
    return waiting.length;
  }

  /** Returns false when no turn in this process is waiting for the session. */
  resolve(sessionId: string, approved: boolean): boolean {
    const waiter = this.waiters.get(sessionId);
    if (!waiter) return false;
    waiter.resolve(approved ? 'approved' : 'denied');
    return true;
  }
}
