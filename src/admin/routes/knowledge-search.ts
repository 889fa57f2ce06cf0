import { z } from 'zod';
import type { AccessContext } from '../../knowledge/index.js';
import { sendJson } from '../../server/http-io.js';
import { route, type RouteContext } from '../route.js';

const principalName = z.string().trim().min(1).max(256);

const searchBody = z.object({
  query: z.string().trim().min(1).max(2000),
  limit: z.number().int().min(1).max(100).default(10),
  documentSets: z.array(z.string().trim().min(1).max(128)).max(100).optional(),
  /** Whose view to search with; absent = what everyone in the organization may read. */
  as: z
    .object({
      userId: principalName,
      groups: z.array(principalName).max(1000).default([]),
    })
    .optional(),
});

const resultSchema = z.object({
  rank: z.number().int(),
  documentId: z.string(),
  chunkId: z.string(),
  source: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  text: z.string(),
  score: z.number(),
});

export const knowledgeSearchRoute = route({
  method: 'POST',
  path: '/admin/knowledge/search',
  summary:
    "Retrieval debugger: the ranked chunks a query retrieves, with scores. Without `as`, searches as an organization-wide reader (documents with no ACL or a public one); with `as`, through that user's ACL view.",
  minRole: 'curator',
  body: searchBody,
  response: {
    status: 200,
    schema: z.object({ as: z.object({ userId: z.string(), groups: z.array(z.string()) }).nullable(), results: z.array(resultSchema) }),
    description: 'Ranked chunks, best first.',
  },
  async handle({ app, principal, body, res }: RouteContext<z.output<typeof searchBody>>) {
    // The store's own ACL filter does the work, so the debugger shows exactly what a turn would see.
    const access: AccessContext = body.as
      ? { organizationId: principal!.organizationId, userId: body.as.userId, groups: body.as.groups }
      : { organizationId: principal!.organizationId, groups: [] };
    const hits = await app.knowledge.search(body.query, {
      access,
      limit: body.limit,
      ...(body.documentSets ? { documentSets: body.documentSets } : {}),
    });
    sendJson(res, 200, {
      as: body.as ?? null,
      results: hits.map((hit, i) => ({
        rank: i + 1,
        documentId: hit.documentId,
        chunkId: hit.chunkId,
        source: hit.source,
        ...(hit.title !== undefined ? { title: hit.title } : {}),
        ...(hit.url !== undefined ? { url: hit.url } : {}),
        text: hit.text,
        score: hit.score,
      })),
    });
  },
});
