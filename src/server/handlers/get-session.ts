import { immediate, type ActionOf } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { sendHandoffSnapshot } from './handoff.js';
import { requireSession } from './sessions.js';

export async function getSession(connection: Connection, action: ActionOf<'get_session'>, requestId: string | undefined): Promise<void> {
  const s = await requireSession(connection, action.sessionId);
  connection.send(
    immediate(
      requestId,
      200,
      'Session',
      {
        sessionId: s.sessionId,
        conversationId: s.conversationId,
        agentId: s.agentId,
        agentName: s.agentName,
        userParticipantId: s.userParticipantId,
        agentParticipantId: s.agentParticipantId,
        threadId: s.threadId,
        status: s.status,
      },
      Date.now(),
    ),
  );
  await sendHandoffSnapshot(connection, s);
}
