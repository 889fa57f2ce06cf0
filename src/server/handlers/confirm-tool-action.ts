import { immediate, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { PendingApproval, Session, TurnCheckpoint } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { announceApprovalResolved } from '../approval-notices.js';
import { streamTurn } from '../turn-stream.js';
import { gatewayKeyFor } from './send-message.js';
import { accessFor, findUsableSession } from './sessions.js';

function noPending(sessionId: string, why?: string): ProtocolError {
  return new ProtocolError(
    'NO_PENDING_CONFIRMATION',
    why ? `the tool action for session '${sessionId}' ${why}` : `no tool action is awaiting confirmation for session '${sessionId}'`,
  );
}

function ack(connection: Connection, requestId: string | undefined, sessionId: string, approved: boolean): void {
  // The ack goes out before the turn resumes so it precedes the tool result on the wire.
  connection.send(
    immediate(requestId, 200, approved ? 'Tool action approved' : 'Tool action rejected', { sessionId, approved }, Date.now()),
  );
}

/**
 * Finishes a parked turn from its checkpoint on this connection: the rest of it (tool result,
 * tokens, eventual_response) streams here under the original send_message requestId.
 */
function resumeHere(connection: Connection, session: Session, checkpoint: TurnCheckpoint, approved: boolean, apiKey: string): void {
  streamTurn(connection, checkpoint.requestId, apiKey, async ({ signal, emit: send }) => {
    const tools: Array<{ name: string; isError: boolean }> = [];
    const emit: typeof send = (event) => {
      if (event.type === 'tool_result') tools.push({ name: event.name, isError: event.isError });
      send(event);
    };
    const outcome = await connection.app.turns.resume({
      session,
      checkpoint,
      approved,
      apiKey,
      access: accessFor(session, connection),
      signal,
      emit,
    });
    // What the answer used, for the operator's transcript (tool steps from the resumed part only).
    if (outcome.reply.trim() !== '') await connection.app.handoff.noteTurn(session, outcome.messageId, { citations: outcome.citations, tools });
    return outcome;
  }, { session, resumed: true });
}

/** Why this connection cannot run the resumed turn right now; the approval is then left for a retry. */
function busy(connection: Connection): ProtocolError | undefined {
  if (connection.draining) return new ProtocolError('SHUTTING_DOWN', 'the server is shutting down; reconnect and confirm again');
  if (connection.activeTurn) {
    return new ProtocolError(
      'TURN_IN_PROGRESS',
      `a turn is already in progress on this connection (requestId '${connection.activeTurn.requestId}'); confirm from another connection or wait`,
    );
  }
  return undefined;
}

export async function confirmToolAction(
  connection: Connection,
  action: ActionOf<'confirm_tool_action'>,
  requestId: string | undefined,
): Promise<void> {
  // A session that does not exist and one that is not the caller's get the reference's answer to a
  // stray confirm: nothing here awaits confirmation from you. Nothing is taken from storage.
  const session = await findUsableSession(connection, action.sessionId);
  if (!session) throw noPending(action.sessionId);
  const { storage, approvals, now } = connection.app;
  // Taking the record is the atomic step: of two concurrent confirms, on any processes, only one gets it.
  const pending: PendingApproval | undefined = await storage.takePendingApproval(session.sessionId);
  if (!pending) throw noPending(action.sessionId);

  // Fast path: the parked turn is alive in this process; wake it.
  if (approvals.hasWaiter(session.sessionId)) {
    ack(connection, requestId, session.sessionId, action.approved);
    approvals.resolve(session.sessionId, action.approved);
    return;
  }

  // No one here is waiting: the client reconnected, or the turn parked on another process or before a
  // restart. Finish it from the checkpoint, if it has one and is still within its time.
  const { checkpoint } = pending;
  if (!checkpoint) throw noPending(action.sessionId, 'is no longer awaiting confirmation (its turn ended)');
  if (Date.parse(pending.expiresAt) <= now().getTime()) throw noPending(action.sessionId, 'expired before it was confirmed');
  const refusal = busy(connection);
  const apiKey = refusal ? undefined : await gatewayKeyFor(connection, session.organizationId).catch((err: unknown) => err);
  if (refusal || typeof apiKey !== 'string') {
    // Not resolved, only not resumable from here: put it back so a retry (or another connection) can.
    await storage.putPendingApproval(pending);
    if (refusal) throw refusal;
    if (apiKey instanceof ProtocolError) throw apiKey;
    throw new ProtocolError('LLM_UNAVAILABLE', 'no LLM gateway key is configured, so the parked turn cannot continue');
  }
  ack(connection, requestId, session.sessionId, action.approved);
  // The turn may still be parked on another replica (its client connected there): it stops now.
  void announceApprovalResolved(connection.app.backplane, session.sessionId);
  resumeHere(connection, session, checkpoint, action.approved, apiKey);
}
