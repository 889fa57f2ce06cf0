import { SmoothAgentError } from './errors.js';
import type { AgentEvent, AgentEventType } from './events.js';
import { serverError } from './pending-requests.js';

interface Waiter {
  accepts: ReadonlySet<AgentEventType>;
  resolve(event: AgentEvent): void;
  reject(error: SmoothAgentError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Answers to actions that share a requestId with a turn (submit_interaction echoes the parked
 * turn's; verify_otp the verification's) or are answered by an event other than
 * `immediate_response` (`interaction_invalid`, `otp_verified`, `otp_invalid`). Checked before the
 * turn routing, so the action's own answer is not mistaken for one of the turn's events; the
 * turn's later events (after the ack) go to the turn as usual.
 */
export class ActionReplies {
  private readonly waiters = new Map<string, Waiter>();

  wait(requestId: string, accepts: readonly AgentEventType[], timeoutMs: number): Promise<AgentEvent> {
    this.fail(requestId, new SmoothAgentError('CANCELLED', 'a newer request replaced this one', { requestId }));
    return new Promise<AgentEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        reject(new SmoothAgentError('TIMEOUT', `no answer to request ${requestId} within ${timeoutMs} ms`, { requestId }));
      }, timeoutMs);
      this.waiters.set(requestId, { accepts: new Set(accepts), resolve, reject, timer });
    });
  }

  /** Settles the waiter `event` answers, if any; returns whether it did. */
  settle(requestId: string | undefined, event: AgentEvent): boolean {
    if (requestId === undefined) return false;
    const waiter = this.waiters.get(requestId);
    if (!waiter) return false;
    if (event.type === 'error') waiter.reject(serverError(event, requestId));
    else if (waiter.accepts.has(event.type)) waiter.resolve(event);
    else return false;
    clearTimeout(waiter.timer);
    this.waiters.delete(requestId);
    return true;
  }

  fail(requestId: string, error: SmoothAgentError): void {
    const waiter = this.waiters.get(requestId);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(requestId);
    waiter.reject(error);
  }

  failAll(error: (requestId: string) => SmoothAgentError): void {
    for (const requestId of [...this.waiters.keys()]) this.fail(requestId, error(requestId));
  }
}
