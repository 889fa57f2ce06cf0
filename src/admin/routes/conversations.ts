import { z } from 'zod';
import { hasRole } from '../../auth/index.js';
import type { Storage } from '../../storage/index.js';
import { HttpError, sendJson } from '../../server/http-io.js';
import { route } from '../route.js';

const conversationSummary = z.object({
  id: z.string(),
  name: z.string(),
  platform: z.literal('web'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new HttpError(400, 'VALIDATION_ERROR', `${name}: expected a non-negative integer`);
  return Math.min(Math.max(Number(raw), min), max);
}

export const listConversationsRoute = route({
  method: 'GET',
  path: '/admin/conversations',
  summary: "The organization's conversations, newest first. Basic callers see only their own.",
  minRole: 'basic',
  queryParams: [
    { name: 'limit', description: 'Page size (1-200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
    { name: 'cursor', description: 'nextCursor of the previous page.', schema: { type: 'integer', minimum: 0 } },
  ],
  response: {
    status: 200,
    schema: z.object({ conversations: z.array(conversationSummary), nextCursor: z.number().int().nullable() }),
    description: 'One page of conversations.',
  },
  async handle({ app, principal, query, res }) {
    const p = principal!;
    const page = await app.storage.listConversations({
      organizationId: p.organizationId,
      limit: intParam(query, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT),
      offset: intParam(query, 'cursor', 0, 0, Number.MAX_SAFE_INTEGER),
      ...(hasRole(p, 'curator') ? {} : { userExternalId: p.userId }),
    });
    sendJson(res, 200, {
      conversations: page.conversations.map((c) => ({ id: c.id, name: c.name, platform: c.platform, createdAt: c.createdAt, updatedAt: c.updatedAt })),
      nextCursor: page.nextOffset,
    });
  },
});

const MESSAGES_PAGE = 200;

export const conversationMessagesRoute = route({
  method: 'GET',
  path: '/admin/conversations/:id/messages',
  summary: "A conversation's messages, oldest first (up to 200 per page).",
  minRole: 'basic',
  queryParams: [{ name: 'cursor', description: 'nextCursor of the previous page (a message id).', schema: { type: 'string' } }],
  response: {
    status: 200,
    schema: z.object({
      conversationId: z.string(),
      messages: z.array(z.object({ id: z.string(), direction: z.enum(['inbound', 'outbound']), text: z.string(), createdAt: z.string() })),
      nextCursor: z.string().nullable(),
    }),
    description: 'Messages of the conversation.',
  },
  async handle({ app, principal, params, query, res }) {
    const p = principal!;
    const id = params.id ?? '';
    const conversation = await app.storage.getConversation(id);
    // Another organization's conversation does not exist as far as this caller can tell.
    if (!conversation || conversation.organizationId !== p.organizationId) throw new HttpError(404, 'NOT_FOUND', 'conversation not found');
    if (!hasRole(p, 'curator')) {
      if (!(await ownsConversation(app.storage, p.organizationId, p.userId, id))) throw new HttpError(403, 'FORBIDDEN', 'forbidden: not your conversation');
    }
    const cursor = query.get('cursor');
    const page = await app.storage.listMessages({ conversationId: id, limit: MESSAGES_PAGE, order: 'asc', ...(cursor ? { cursor } : {}) });
    sendJson(res, 200, {
      conversationId: id,
      messages: page.messages.map((m) => ({ id: m.id, direction: m.direction, text: m.content.text, createdAt: m.createdAt })),
      nextCursor: page.nextCursor,
    });
  },
});

/** A Basic caller owns the conversations whose user participant carries their user id. */
async function ownsConversation(
  storage: Storage,
  organizationId: string,
  userId: string,
  conversationId: string,
): Promise<boolean> {
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await storage.listConversations({ organizationId, limit: 200, offset, userExternalId: userId });
    if (page.conversations.some((c) => c.id === conversationId)) return true;
    offset = page.nextOffset;
  }
  return false;
}
