import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { App } from '../app.js';
import type { Principal } from '../auth/index.js';
import type { KnowledgeDocument } from '../knowledge/index.js';
import { HttpError, readJson, sendJson } from '../server/http-io.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

const principalName = z.string().trim().min(1).max(256);

const documentAcl = z.object({
  public: z.boolean(),
  users: z.array(principalName).max(1000).default([]),
  groups: z.array(principalName).max(1000).default([]),
});

const ingestBody = z.object({
  documents: z
    .array(
      z.object({
        id: z.string().trim().min(1).max(512).optional(),
        source: z.string().trim().min(1).max(2048),
        content: z.string().min(1),
        title: z.string().max(512).optional(),
        url: z.string().max(2048).optional(),
        documentSets: z.array(z.string().trim().min(1).max(128)).max(100).optional(),
        acl: documentAcl.optional(),
      }),
    )
    .min(1)
    .max(1000),
});

function summary(doc: KnowledgeDocument): Record<string, unknown> {
  return {
    id: doc.id,
    source: doc.source,
    ...(doc.title !== undefined ? { title: doc.title } : {}),
    ...(doc.url !== undefined ? { url: doc.url } : {}),
    documentSets: doc.documentSets,
    ...(doc.acl !== undefined ? { acl: doc.acl } : {}),
    contentHash: doc.contentHash,
    chunks: doc.chunkCount,
    updatedAt: doc.updatedAt,
  };
}

/** `/admin/knowledge/documents[/:id]` — the core's minimal knowledge administration. */
export async function knowledgeDocuments(
  app: App,
  principal: Principal,
  req: IncomingMessage,
  res: ServerResponse,
  id: string | undefined,
): Promise<void> {
  const org = principal.organizationId;
  if (id === undefined && req.method === 'POST') {
    const parsed = ingestBody.safeParse(await readJson(req, MAX_BODY_BYTES));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, 'VALIDATION_ERROR', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const stored = await app.knowledge.upsert(org, parsed.data.documents);
    sendJson(res, 201, { ids: stored.map((d) => d.id), documents: stored.map(summary) });
    return;
  }
  if (id === undefined && req.method === 'GET') {
    sendJson(res, 200, { documents: (await app.knowledge.list(org)).map(summary) });
    return;
  }
  if (id !== undefined && req.method === 'GET') {
    const doc = await app.knowledge.get(org, id);
    if (!doc) throw new HttpError(404, 'NOT_FOUND', 'document not found');
    sendJson(res, 200, { document: { ...summary(doc), content: doc.content } });
    return;
  }
  if (id !== undefined && req.method === 'DELETE') {
    if (!(await app.knowledge.delete(org, id))) throw new HttpError(404, 'NOT_FOUND', 'document not found');
    res.writeHead(204).end();
    return;
  }
  throw new HttpError(405, 'VALIDATION_ERROR', `method ${req.method ?? ''} not allowed here`);
}
