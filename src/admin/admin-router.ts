import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app.js';
import { authenticateAdmin } from '../auth/admin-gate.js';
import { HttpError } from '../server/http-io.js';
import { knowledgeDocuments } from './knowledge-documents.js';

const DOCUMENTS_PREFIX = '/admin/knowledge/documents';

/** Routes `/admin/*`. Every route authenticates first, so nothing leaks to an unauthenticated caller. */
export async function handleAdmin(app: App, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const principal = await authenticateAdmin(req, app.auth, 'curator');
  if (pathname === DOCUMENTS_PREFIX || pathname === `${DOCUMENTS_PREFIX}/`) {
    return knowledgeDocuments(app, principal, req, res, undefined);
  }
  if (pathname.startsWith(`${DOCUMENTS_PREFIX}/`)) {
    let id: string;
    try {
      id = decodeURIComponent(pathname.slice(DOCUMENTS_PREFIX.length + 1));
    } catch {
      throw new HttpError(400, 'VALIDATION_ERROR', 'malformed document id');
    }
    return knowledgeDocuments(app, principal, req, res, id);
  }
  throw new HttpError(404, 'NOT_FOUND', 'no such admin route');
}
