import { immediate, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { Conversation, Storage } from '../../storage/index.js';
import type { Connection } from '../connection.js';

/** A conversation listed without a title of its own is named after its first customer message. */
const DEFAULT_TITLE = 'New conversation';
const TITLE_CHARS = 60;

/** The signed-in caller (organization and user id), or undefined for an anonymous connection. */
export function signedInUser(connection: Connection): { organizationId: string; userId: string } | undefined {
  const { access, authenticated } = connection.identity;
  return authenticated && access.userId !== undefined ? { organizationId: access.organizationId, userId: access.userId } : undefined;
}

async function storageCall<T>(connection: Connection, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    connection.app.logger.error({ err }, `storage failure: ${what}`);
    throw new ProtocolError('STORAGE_ERROR', `failed to ${what}`);
  }
}

/**
 * The conversation when it is the signed-in caller's own — same organization and a user participant
 * carrying their user id — else CONVERSATION_NOT_FOUND: someone else's conversation and a missing
 * one look the same.
 */
export async function requireOwnConversation(connection: Connection, conversationId: string): Promise<Conversation> {
  const user = signedInUser(connection);
  const notFound = new ProtocolError('CONVERSATION_NOT_FOUND', `conversation '${conversationId}' not found`);
  if (!user) throw notFound;
  const { storage } = connection.app;
  const conversation = await storageCall(connection, 'load the conversation', async () => {
    const found = await storage.getConversation(conversationId);
    if (!found || found.organizationId !== user.organizationId) return undefined;
    return (await storage.hasUserParticipant(user.organizationId, found.id, user.userId)) ? found : undefined;
  });
  if (!conversation) throw notFound;
  return conversation;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= TITLE_CHARS ? flat : `${chars.slice(0, TITLE_CHARS - 1).join('')}…`;
}

async function summary(storage: Storage, c: Conversation) {
  const [messageCount, first, latest] = await Promise.all([
    storage.countMessages(c.id),
    c.title === undefined ? storage.listMessages({ conversationId: c.id, limit: 10, order: 'asc' }) : undefined,
    storage.listMessages({ conversationId: c.id, limit: 1, order: 'desc' }),
  ]);
  const opening = first?.messages.find((m) => m.direction === 'inbound' && m.content.text.trim() !== '');
  const lastActivity = latest.messages[0]?.createdAt;
  return {
    conversationId: c.id,
    title: c.title ?? (opening ? clip(opening.content.text) : DEFAULT_TITLE),
    updatedAt: lastActivity !== undefined && lastActivity > c.updatedAt ? lastActivity : c.updatedAt,
    messageCount,
  };
}

/** The signed-in caller's newest conversations, most recently active first. Anonymous callers own none. */
export async function listConversations(
  connection: Connection,
  action: ActionOf<'list_conversations'>,
  requestId: string | undefined,
): Promise<void> {
  const user = signedInUser(connection);
  const { storage } = connection.app;
  const conversations = user
    ? await storageCall(connection, 'list conversations', async () => {
        const page = await storage.listConversations({ organizationId: user.organizationId, userExternalId: user.userId, limit: action.limit, offset: 0 });
        const rows = await Promise.all(page.conversations.map((c) => summary(storage, c)));
        return rows.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
      })
    : [];
  connection.send(immediate(requestId, 200, 'Conversations', { conversations }, Date.now()));
}

export async function renameConversation(
  connection: Connection,
  action: ActionOf<'rename_conversation'>,
  requestId: string | undefined,
): Promise<void> {
  const conversation = await requireOwnConversation(connection, action.conversationId);
  const renamed = await storageCall(connection, 'rename the conversation', () =>
    connection.app.storage.updateConversation(conversation.id, { title: action.title }),
  );
  if (!renamed) throw new ProtocolError('CONVERSATION_NOT_FOUND', `conversation '${action.conversationId}' not found`);
  connection.send(immediate(requestId, 200, 'Conversation renamed', { conversationId: renamed.id, title: action.title }, Date.now()));
}
