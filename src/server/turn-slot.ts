/** The single turn a connection may have in flight. */
export interface ActiveTurn {
  readonly requestId: string;
  readonly controller: AbortController;
}

export class TurnCancelled extends Error {
  constructor(readonly why: 'cancel' | 'disconnect' | 'shutdown') {
    super(`turn aborted by ${why}`);
    this.name = 'TurnCancelled';
  }
}

/**
 * A turn parked on a human, stopped because the server is shutting down. A durable one (its approval
 * and checkpoint in storage) resumes after the restart; one that cannot is told so with a terminal event.
 */
export class ShutdownRelease extends TurnCancelled {
  constructor(readonly resumable: boolean) {
    super('shutdown');
    this.name = 'ShutdownRelease';
  }
}
