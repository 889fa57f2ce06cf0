import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app.js';
import { authenticateAdmin } from '../auth/admin-gate.js';
import { HttpError, readJson, sendJson } from '../server/http-io.js';
import { buildOpenApi } from './openapi.js';
import type { AdminRoute } from './route.js';
import { ADMIN_ROUTES } from './routes/index.js';

const MAX_BODY_BYTES = 1024 * 1024;
const API_VERSION = '1.0.0';

function corsHeaders(res: ServerResponse): void {
  // The admin API is called from operator consoles on other origins; auth is a bearer header, never cookies.
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-max-age', '600');
}

function match(routePath: string, pathname: string): Record<string, string> | undefined {
  const want = routePath.split('/');
  const got = pathname.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        throw new HttpError(400, 'VALIDATION_ERROR', `malformed path parameter ${w.slice(1)}`);
      }
      if (params[w.slice(1)] === '') return undefined;
    } else if (w !== g) return undefined;
  }
  return params;
}

function find(method: string, pathname: string): { route: AdminRoute; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const route of ADMIN_ROUTES) {
    const params = match(route.path, pathname);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'method' : undefined;
}

/** Routes `/admin/*`: CORS, authentication and role check, body validation, then the handler. */
export async function handleAdmin(app: App, req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): Promise<void> {
  corsHeaders(res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (pathname === '/admin/openapi.json' && req.method === 'GET') {
    sendJson(res, 200, buildOpenApi(ADMIN_ROUTES, API_VERSION));
    return;
  }
  const found = find(req.method ?? 'GET', pathname);
  if (found === undefined) throw new HttpError(404, 'NOT_FOUND', 'no such admin route');
  // Authenticate before revealing anything else about the route, even which methods it allows.
  if (found === 'method') {
    await authenticateAdmin(req, app.auth, 'basic');
    throw new HttpError(405, 'VALIDATION_ERROR', `method ${req.method ?? ''} not allowed on ${pathname}`);
  }
  const { route, params } = found;
  const principal = route.minRole === 'public' ? undefined : await authenticateAdmin(req, app.auth, route.minRole);
  let body: unknown;
  if (route.body && !route.rawBody) {
    const parsed = route.body.safeParse(await readJson(req, MAX_BODY_BYTES));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, 'VALIDATION_ERROR', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    body = parsed.data;
  }
  await route.handle({ app, principal, params, query, body, req, res });
}
