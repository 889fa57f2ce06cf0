import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { App } from '../app.js';
import type { Principal, Role } from '../auth/index.js';

export interface RouteContext<Body> {
  app: App;
  /** Undefined only on public routes. */
  principal: Principal | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * One admin endpoint. The same declaration drives routing, the role check, body validation and
 * the OpenAPI document, so they cannot drift apart.
 */
export interface AdminRoute<Body = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/admin/...` with `:name` parameters. */
  path: string;
  summary: string;
  /** `public` routes need no token. */
  minRole: Role | 'public';
  body?: z.ZodType<Body>;
  /** Query parameters, for the OpenAPI document. */
  queryParams?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  response?: { status: number; schema?: z.ZodType; description: string };
  /** When set, the handler reads the body itself (e.g. large uploads). */
  rawBody?: boolean;
  handle(ctx: RouteContext<Body>): Promise<void>;
}

/** Erases the body type so routes with different bodies fit in one table. */
export function route<Body>(definition: AdminRoute<Body>): AdminRoute<unknown> {
  return definition as unknown as AdminRoute<unknown>;
}
