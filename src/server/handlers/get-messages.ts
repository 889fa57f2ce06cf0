import { immediate, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { Message, MessagePage } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { requireSession } from './sessions.js';

/** The protocol's ConversationMessage: a strict subset of the stored record. */
function toWire(message: Message): Record<string, unknown> {
  return {
    id: message.id,
    direction: message.direction,
    content: { text: message.content.text },
    ...(message.from ? { from: message.from } : {}),
    ...(message.to ? { to: message.to } : {}),
    createdAt: message.createdAt,
  };
}

export async function getMessages(
  connection: Connection,
  action: ActionOf<'get_conversation_messages'>,
  requestId: string | undefined,
): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  let page: MessagePage;
  try {
    page = await connection.app.storage.listMessages({
      conversationId: session.conversationId,
      limit: action.limit,
      order: 'desc',
      ...(action.cursor !== undefined ? { cursor: action.cursor } : {}),
    });
  } catch (err) {
    connection.app.logger.error({ err }, 'storage failure listing messages');
    throw new ProtocolError('STORAGE_ERROR', 'failed to list messages');
  }
  connection.send(
    immediate(
      requestId,
      200,
      'ConversationMessages',
      { messages: page.messages.map(toWire), nextCursor: page.nextCursor, hasMore: page.nextCursor !== null },
      Date.now(),
    ),
  );
}
