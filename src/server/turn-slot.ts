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
