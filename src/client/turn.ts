import { SmoothAgentError } from './errors.js';
import { tokenOf, toolActivityOf, type AgentEvent, type EventualResponseEvent } from './events.js';
import { serverError } from './pending-requests.js';
import type { ConfirmResult } from './payloads.js';

export type TurnStatus = 'sending' | 'streaming' | 'awaiting_confirmation' | 'awaiting_interaction' | 'completed' | 'failed' | 'cancelled';

/** How the client feeds a turn; handed out once, to the client, through the constructor callback. */
export interface TurnSink {
  push(event: AgentEvent): void;
  /** Ends the turn with a client-side failure (no terminal event will arrive). */
  fail(error: SmoothAgentError): void;
}

export interface TurnControls {
  cancel(): Promise<void>;
  confirm(approved: boolean): Promise<ConfirmResult>;
}

/**
 * One `send_message`: an async iterable of every event that carries its requestId, and a promise
 * (`await turn`) of its `eventual_response`.
 *
 * Iteration yields wire events only, in arrival order, and may start late or run more than once:
 * events are buffered for the turn's (short) life. A turn that ends with an `error` or `cancelled`
 * event yields that event and then ends normally; the promise rejects with a SmoothAgentError
 * (the server's code, or `CANCELLED`). A turn that ends without a terminal event (the socket was
 * lost) makes the iterator throw the same error the promise rejects with.
 */
export class Turn implements AsyncIterable<AgentEvent>, PromiseLike<EventualResponseEvent> {
  readonly requestId: string;
  readonly sessionId: string;
  /** The final answer, as a promise; `await turn` is the same thing. */
  readonly result: Promise<EventualResponseEvent>;

  private readonly events: AgentEvent[] = [];
  private readonly wakeups = new Set<() => void>();
  private currentStatus: TurnStatus = 'sending';
  private streamedText = '';
  private ended = false;
  private clientFailure: SmoothAgentError | undefined;
  private readonly controls: TurnControls;

  constructor(
    init: { requestId: string; sessionId: string; controls: TurnControls },
    attach: (sink: TurnSink) => void,
  ) {
    this.requestId = init.requestId;
    this.sessionId = init.sessionId;
    this.controls = init.controls;
    let resolve!: (event: EventualResponseEvent) => void;
    let reject!: (error: SmoothAgentError) => void;
    this.result = new Promise<EventualResponseEvent>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A caller that only iterates never looks at the promise; its rejection is not "unhandled".
    this.result.catch(() => {});
    attach({
      push: (event) => this.receive(event, resolve, reject),
      fail: (error) => {
        if (this.ended) return;
        this.clientFailure = error;
        this.finish('failed');
        reject(error);
      },
    });
  }

  get status(): TurnStatus {
    return this.currentStatus;
  }

  /** The answer streamed so far (`stream_token`s concatenated). */
  get text(): string {
    return this.streamedText;
  }

  get done(): boolean {
    return this.ended;
  }

  /** Asks the server to stop this turn; the turn then ends with `cancelled` (the promise rejects with CANCELLED). */
  cancel(): Promise<void> {
    return this.ended ? Promise.resolve() : this.controls.cancel();
  }

  /** Answers a `write_confirmation_required` of this turn. */
  approve(): Promise<ConfirmResult> {
    return this.controls.confirm(true);
  }

  deny(): Promise<ConfirmResult> {
    return this.controls.confirm(false);
  }

  then<A = EventualResponseEvent, B = never>(
    onFulfilled?: ((value: EventualResponseEvent) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<EventualResponseEvent | B> {
    return this.result.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<EventualResponseEvent> {
    return this.result.finally(onFinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    let index = 0;
    for (;;) {
      while (index < this.events.length) yield this.events[index++]!;
      if (this.ended) {
        if (this.clientFailure) throw this.clientFailure;
        return;
      }
      await new Promise<void>((wake) => this.wakeups.add(wake));
    }
  }

  private receive(
    event: AgentEvent,
    resolve: (event: EventualResponseEvent) => void,
    reject: (error: SmoothAgentError) => void,
  ): void {
    if (this.ended) return;
    this.events.push(event);
    switch (event.type) {
      case 'stream_token':
        this.streamedText += tokenOf(event);
        this.currentStatus = 'streaming';
        break;
      case 'write_confirmation_required':
        this.currentStatus = 'awaiting_confirmation';
        break;
      case 'interaction_required':
        this.currentStatus = 'awaiting_interaction';
        break;
      case 'eventual_response':
        this.finish('completed');
        resolve(event);
        return;
      case 'error':
        this.finish('failed');
        reject(serverError(event, this.requestId));
        return;
      case 'cancelled':
        this.finish('cancelled');
        reject(new SmoothAgentError('CANCELLED', 'the turn was cancelled', { requestId: this.requestId, source: 'server' }));
        return;
      case 'stream_chunk':
        // The gated call's own toolCall chunk follows write_confirmation_required; only its
        // result (after the decision) means the turn is moving again.
        if ((this.currentStatus !== 'awaiting_confirmation' && this.currentStatus !== 'awaiting_interaction') || toolActivityOf(event)?.phase === 'result') {
          this.currentStatus = 'streaming';
        }
        break;
      default:
        if (this.currentStatus === 'sending') this.currentStatus = 'streaming';
    }
    this.wake();
  }

  private finish(status: TurnStatus): void {
    this.ended = true;
    this.currentStatus = status;
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.wakeups]) wake();
    this.wakeups.clear();
  }
}
