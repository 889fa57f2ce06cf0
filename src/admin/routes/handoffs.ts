import { z } from 'zod';
import type { Principal } from '../../auth/index.js';
import { HandoffError, messageView as messageViewOf } from '../../handoff/handoff-service.js';
import { HttpError, sendJson } from '../../server/http-io.js';
import { route, type RouteContext } from '../route.js';

/** Operator endpoints: Curator or above, always within the caller's organization, by conversation id. */
const handoffView = z.object({
  conversationId: z.string(),
  state: z.enum(['bot', 'waiting', 'human', 'closed']),
  trigger: z.string().nullable(),
  reason: z.string().nullable(),
  requestedAt: z.string().nullable(),
  waitSeconds: z.number().int(),
  operator: z.object({ id: z.string(), name: z.string() }).nullable(),
  visitorEmail: z.string().nullable(),
  updatedAt: z.string(),
});

const messageView = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  text: z.string(),
  sender: z.object({ type: z.string(), name: z.string().nullable() }),
  createdAt: z.string(),
});

const MAX_OPERATOR_MESSAGE_CHARS = 10_000;
const messageBody = z.object({
  text: z
    .string()
    .refine((t) => t.trim() !== '', { error: 'must not be empty' })
    .refine((t) => t.length <= MAX_OPERATOR_MESSAGE_CHARS, { error: `exceeds ${MAX_OPERATOR_MESSAGE_CHARS} characters` }),
});

function operatorOf(principal: Principal): { id: string; name: string } {
  return { id: principal.userId, name: principal.displayName?.trim() || principal.userId };
}

/** Handoff failures as HTTP: another organization's conversation simply does not exist. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof HandoffError)) throw err;
    if (err.code === 'NOT_FOUND') throw new HttpError(404, 'NOT_FOUND', 'conversation not found');
    throw new HttpError(409, 'HANDOFF_CONFLICT', err.message);
  }
}

const idParam = (ctx: RouteContext<unknown>) => ctx.params.id ?? '';

export const listHandoffsRoute = route({
  method: 'GET',
  path: '/admin/handoffs',
  summary: 'Conversations waiting for or owned by a person: waiting first (longest wait first), with wait time and who is online.',
  minRole: 'curator',
  response: {
    status: 200,
    schema: z.object({
      handoffs: z.array(handoffView),
      availability: z.object({ available: z.boolean(), reason: z.string().nullable(), operatorsOnline: z.number().int() }),
    }),
    description: 'The queue.',
  },
  async handle({ app, principal, res }) {
    const org = principal!.organizationId;
    const [handoffs, check] = await Promise.all([app.handoff.list(org), app.handoff.availability.check(org)]);
    sendJson(res, 200, {
      handoffs,
      availability: check.available
        ? { available: true, reason: null, operatorsOnline: check.operators.length }
        : { available: false, reason: check.reason, operatorsOnline: 0 },
    });
  },
});

export const takeoverRoute = route({
  method: 'POST',
  path: '/admin/conversations/:id/takeover',
  summary: 'The caller takes the conversation over: the AI stops answering it. Returns a short summary for the operator.',
  minRole: 'curator',
  response: { status: 200, schema: z.object({ handoff: handoffView, summary: z.string() }), description: 'Now owned by the caller.' },
  async handle(ctx) {
    const { app, principal, res } = ctx;
    const { view, summary } = await mapped(() => app.handoff.takeover(principal!.organizationId, idParam(ctx), operatorOf(principal!)));
    sendJson(res, 200, { handoff: view, summary });
  },
});

export const operatorMessageRoute = route({
  method: 'POST',
  path: '/admin/conversations/:id/messages',
  summary: "Sends a message to the visitor as the operator (the conversation must be taken over). Stored from the conversation's human-agent participant.",
  minRole: 'curator',
  body: messageBody,
  response: { status: 201, schema: z.object({ message: messageView }), description: 'The stored message.' },
  async handle(ctx: RouteContext<z.output<typeof messageBody>>) {
    const { app, principal, body, res } = ctx;
    const message = await mapped(() => app.handoff.operatorMessage(principal!.organizationId, ctx.params.id ?? '', operatorOf(principal!), body.text));
    sendJson(res, 201, { message });
  },
});

export const handbackRoute = route({
  method: 'POST',
  path: '/admin/conversations/:id/handback',
  summary: 'Hands the conversation back to the AI, which answers the next message.',
  minRole: 'curator',
  response: { status: 200, schema: z.object({ handoff: handoffView }), description: 'Back with the AI.' },
  async handle(ctx) {
    const { app, principal, res } = ctx;
    sendJson(res, 200, { handoff: await mapped(() => app.handoff.handback(principal!.organizationId, idParam(ctx))) });
  },
});

export const closeHandoffRoute = route({
  method: 'POST',
  path: '/admin/conversations/:id/close',
  summary: 'Closes the handoff: the conversation leaves the queue; a later visitor message is answered by the AI.',
  minRole: 'curator',
  response: { status: 200, schema: z.object({ handoff: handoffView }), description: 'Closed.' },
  async handle(ctx) {
    const { app, principal, res } = ctx;
    sendJson(res, 200, { handoff: await mapped(() => app.handoff.close(principal!.organizationId, idParam(ctx))) });
  },
});

export const conversationHandoffRoute = route({
  method: 'GET',
  path: '/admin/conversations/:id/handoff',
  summary: "One conversation for the operator console: its handoff state, transcript (with senders) and any tool call awaiting the visitor's approval.",
  minRole: 'curator',
  response: {
    status: 200,
    schema: z.object({
      conversationId: z.string(),
      handoff: handoffView.nullable(),
      messages: z.array(messageView),
      pendingApproval: z.object({ toolName: z.string(), description: z.string(), createdAt: z.string(), expiresAt: z.string() }).nullable(),
      notes: z.array(
        z.object({
          messageId: z.string(),
          citations: z.array(z.object({ id: z.string(), title: z.string(), url: z.string().optional(), snippet: z.string() })),
          tools: z.array(z.object({ name: z.string(), isError: z.boolean() })),
        }),
      ),
    }),
    description: 'The conversation as the console shows it.',
  },
  async handle(ctx) {
    const { app, principal, res } = ctx;
    const org = principal!.organizationId;
    const id = idParam(ctx);
    const conversation = await app.storage.getConversation(id);
    if (!conversation || conversation.organizationId !== org) throw new HttpError(404, 'NOT_FOUND', 'conversation not found');
    const session = await app.handoff.sessionOf(org, id).catch(() => undefined);
    const [handoff, page, approval, notes] = await Promise.all([
      app.handoff.view(org, id),
      app.storage.listMessages({ conversationId: id, order: 'desc', limit: 200 }),
      session ? app.storage.getPendingApproval(session.sessionId) : Promise.resolve(undefined),
      app.handoff.notes(org, id),
    ]);
    sendJson(res, 200, {
      conversationId: id,
      handoff: handoff ?? null,
      messages: page.messages.reverse().map(messageViewOf),
      pendingApproval: approval
        ? { toolName: approval.toolName, description: app.describeAction(approval.toolName, approval.arguments), createdAt: approval.createdAt, expiresAt: approval.expiresAt }
        : null,
      notes: notes.map((n) => ({ messageId: n.messageId, citations: n.citations, tools: n.tools })),
    });
  },
});

export const handoffRoutes = [conversationHandoffRoute, listHandoffsRoute, takeoverRoute, operatorMessageRoute, handbackRoute, closeHandoffRoute];
