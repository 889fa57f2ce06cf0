import { immediate, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { requireSession } from './sessions.js';

export async function confirmToolAction(
  connection: Connection,
  action: ActionOf<'confirm_tool_action'>,
  requestId: string | undefined,
): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  const { storage, approvals } = connection.app;
  // Taking the record is the atomic step: of two concurrent confirms only one gets it.
  const pending = await storage.takePendingApproval(session.sessionId);
  if (!pending) {
    throw new ProtocolError('NO_PENDING_CONFIRMATION', `no tool action is awaiting confirmation for session '${action.sessionId}'`);
  }
  if (!approvals.hasWaiter(session.sessionId)) {
    throw new ProtocolError(
      'NO_PENDING_CONFIRMATION',
      `the turn awaiting confirmation for session '${action.sessionId}' is no longer active`,
    );
  }
  // The ack goes out before the turn resumes so it precedes the tool result on the wire.
  connection.send(
    immediate(
      requestId,
      200,
      action.approved ? 'Tool action approved' : 'Tool action rejected',
      { sessionId: session.sessionId, approved: action.approved },
      Date.now(),
    ),
  );
  approvals.resolve(session.sessionId, action.approved);
}
