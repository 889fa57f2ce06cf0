import { z } from 'zod';
import { scopedTarget } from '../../backplane/index.js';
import { orgConnectionTarget } from '../../server/handlers/sessions.js';
import { sendJson } from '../../server/http-io.js';
import { route, type RouteContext } from '../route.js';

const publishBody = z.object({
  target: z.object({ type: z.enum(['connection', 'session', 'user', 'org', 'agent']), id: z.string().min(1) }),
  event: z.record(z.string(), z.unknown()),
});

export const publishRoute = route({
  method: 'POST',
  path: '/admin/publish',
  summary: "Pushes an event to the caller's organization's sockets associated with a connection, session, user, organization or agent (anything else reaches nobody).",
  minRole: 'admin',
  body: publishBody,
  response: { status: 200, schema: z.object({ delivered: z.number().int() }), description: 'Sockets reached in this process.' },
  async handle({ app, principal, body, res }: RouteContext<z.output<typeof publishBody>>) {
    const org = principal!.organizationId;
    // An admin reaches only their own organization's sockets: other targets simply deliver to nobody.
    if (body.target.type === 'org' && body.target.id !== org) return sendJson(res, 200, { delivered: 0 });
    if (body.target.type === 'session') {
      const session = await app.storage.getSession(body.target.id);
      if (!session || session.organizationId !== org) return sendJson(res, 200, { delivered: 0 });
    }
    // A socket is addressable by connection id only under the organizations it belongs to: its
    // signed-in principal's, and those of the sessions it uses.
    const target = body.target.type === 'connection' ? orgConnectionTarget(org, body.target.id) : scopedTarget(org, body.target);
    const delivered = await app.backplane.publish(target, { timestamp: Date.now(), ...body.event });
    sendJson(res, 200, { delivered });
  },
});
