import { cancelled } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { TurnCancelled } from '../turn-slot.js';

/** Aborts the connection's turn for real (LLM request and running tool); with no turn, says nothing. */
export async function cancel(connection: Connection, requestId: string | undefined): Promise<void> {
  const turn = connection.activeTurn;
  if (!turn) return;
  connection.activeTurn = undefined;
  turn.controller.abort(new TurnCancelled('cancel'));
  connection.send(cancelled(turn.requestId ?? requestId, Date.now()));
}
