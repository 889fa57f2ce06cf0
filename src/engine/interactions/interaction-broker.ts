import type { ToolResult } from '../tools/tool.js';

interface Waiter {
  resolve(outcome: ToolResult | 'timeout'): void;
  reject(reason: unknown): void;
}

/**
 * Wakes a turn parked on an interaction in this process. The durable record is the PendingInteraction
 * in the interaction store; a submit that finds no waiter here resumes the turn from its checkpoint.
 */
export class InteractionBroker {
  private readonly waiters = new Map<string, Waiter>();

  wait(sessionId: string, timeoutMs: number, signal: AbortSignal): Promise<ToolResult | 'timeout'> {
    return new Promise<ToolResult | 'timeout'>((resolve, reject) => {
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
      // A session parks one turn at a time; an older waiter is answered as unanswered.
      this.waiters.get(sessionId)?.resolve('timeout');
      this.waiters.set(sessionId, waiter);
    });
  }

  hasWaiter(sessionId: string): boolean {
    return this.waiters.has(sessionId);
  }

  /** Returns false when no turn in this process is waiting for the session. */
  resolve(sessionId: string, result: ToolResult): boolean {
    const waiter = this.waiters.get(sessionId);
    if (!waiter) return false;
    waiter.resolve(result);
    return true;
  }

  /** Stops every parked turn here as if aborted (shutdown): their records stay for a resume after restart. */
  releaseAll(reason: unknown): number {
    const waiting = [...this.waiters.values()];
    for (const waiter of waiting) waiter.reject(reason);
    return waiting.length;
  }
}
