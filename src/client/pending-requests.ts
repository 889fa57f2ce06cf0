import { SmoothAgentError } from './errors.js';
import type { AgentEvent, ErrorEvent, ImmediateResponseEvent, PongEvent } from './events.js';

export type ReplyEvent = ImmediateResponseEvent | PongEvent;

interface Entry {
  resolve(event: ReplyEvent): void;
  reject(error: SmoothAgentError): void;
  timer: ReturnType<typeof setTimeout>;
}

export function serverError(event: ErrorEvent, requestId: string | undefined): SmoothAgentError {
  const body = event.error ?? event.data.error;
  return new SmoothAgentError(body.code, body.message, { source: 'server', ...(requestId !== undefined ? { requestId } : {}) });
}

/**
 * Request/response correlation for the non-streaming actions: each request carries a fresh
 * `requestId`, and the first `immediate_response`/`pong` (success) or `error` (failure) that echoes
 * it settles the request. Answers are matched by id, never by arrival order, because a turn's
 * stream interleaves with them on the same socket.
 */
export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  wait(requestId: string, timeoutMs: number): Promise<ReplyEvent> {
    return new Promise<ReplyEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(requestId);
        reject(new SmoothAgentError('TIMEOUT', `no answer to request ${requestId} within ${timeoutMs} ms`, { requestId }));
      }, timeoutMs);
      this.entries.set(requestId, { resolve, reject, timer });
    });
  }

  /** Settles the request `event` answers, if any; returns whether it did. */
  settle(requestId: string | undefined, event: AgentEvent): boolean {
    if (requestId === undefined) return false;
    const entry = this.entries.get(requestId);
    if (!entry) return false;
    if (event.type === 'error') entry.reject(serverError(event, requestId));
    else if (event.type === 'immediate_response' || event.type === 'pong') entry.resolve(event);
    else return false;
    clearTimeout(entry.timer);
    this.entries.delete(requestId);
    return true;
  }

  /** Fails one request without an answer (e.g. it could not be sent). */
  fail(requestId: string, error: SmoothAgentError): void {
    const entry = this.entries.get(requestId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(requestId);
    entry.reject(error);
  }

  failAll(error: (requestId: string) => SmoothAgentError): void {
    for (const requestId of [...this.entries.keys()]) this.fail(requestId, error(requestId));
  }
}
