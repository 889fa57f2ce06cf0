import { z } from 'zod';
import { sendJson } from '../../server/http-io.js';
import { route } from '../route.js';

export const principalSchema = z.object({
  userId: z.string(),
  orgId: z.string(),
  role: z.enum(['admin', 'curator', 'basic']),
  displayName: z.string().optional(),
  groups: z.array(z.string()).optional(),
});

export const healthRoute = route({
  method: 'GET',
  path: '/admin/health',
  summary: 'Liveness of the admin API (no authentication).',
  minRole: 'public',
  response: { status: 200, schema: z.object({ status: z.literal('ok') }), description: 'Always ok.' },
  async handle({ res }) {
    sendJson(res, 200, { status: 'ok' });
  },
});

export const meRoute = route({
  method: 'GET',
  path: '/admin/me',
  summary: 'The authenticated principal.',
  minRole: 'basic',
  response: { status: 200, schema: principalSchema, description: 'Who the token says you are.' },
  async handle({ res, principal }) {
    const p = principal!;
    sendJson(res, 200, {
      userId: p.userId,
      orgId: p.organizationId,
      role: p.role,
      ...(p.displayName ? { displayName: p.displayName } : {}),
      ...(p.groups.length > 0 ? { groups: p.groups } : {}),
    });
  },
});
