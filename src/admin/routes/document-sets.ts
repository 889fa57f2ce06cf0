import { z } from 'zod';
import { sendJson } from '../../server/http-io.js';
import { route } from '../route.js';

export const documentSetsRoute = route({
  method: 'GET',
  path: '/admin/document-sets',
  summary: "The organization's document sets with how many documents each holds, by name.",
  minRole: 'curator',
  response: {
    status: 200,
    schema: z.object({ documentSets: z.array(z.object({ name: z.string(), documentCount: z.number().int() })) }),
    description: 'Document sets.',
  },
  async handle({ app, principal, res }) {
    // Counted from the documents themselves, so a set exists exactly as long as something is in it.
    const counts = new Map<string, number>();
    for (const document of await app.knowledge.list(principal!.organizationId)) {
      for (const name of new Set(document.documentSets)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const documentSets = [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, documentCount]) => ({ name, documentCount }));
    sendJson(res, 200, { documentSets });
  },
});
