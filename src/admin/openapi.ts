import { z } from 'zod';
import type { AdminRoute } from './route.js';

const errorEnvelope = {
  type: 'object',
  required: ['type', 'error', 'data'],
  properties: {
    type: { const: 'error' },
    error: { $ref: '#/components/schemas/ErrorObject' },
    data: { type: 'object', properties: { error: { $ref: '#/components/schemas/ErrorObject' } } },
    timestamp: { type: 'integer' },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** OpenAPI 3.1 document generated from the same route table that serves the requests. */
export function buildOpenApi(routes: readonly AdminRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(r.queryParams ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
    ];
    const responses: Record<string, unknown> = {
      [String(r.response?.status ?? 200)]: {
        description: r.response?.description ?? 'Success.',
        ...(r.response?.schema ? { content: { 'application/json': { schema: jsonSchema(r.response.schema) } } } : {}),
      },
    };
    if (r.body) responses['400'] = errorResponse('VALIDATION_ERROR naming the field.');
    if (r.minRole !== 'public') {
      responses['401'] = errorResponse('UNAUTHENTICATED, INVALID_TOKEN or MISSING_ROLE.');
      responses['403'] = errorResponse(`FORBIDDEN: requires ${r.minRole}.`);
    }
    if (parameters.some((p) => p.in === 'path')) responses['404'] = errorResponse("NOT_FOUND (including another organization's ids).");
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.minRole === 'public' ? { security: [] } : { 'x-min-role': r.minRole }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'smooth-operator admin API', version, description: 'Operator API; every route is scoped to the caller’s organization.' },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ErrorObject: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
        Error: errorEnvelope,
      },
    },
    paths,
  };
}
