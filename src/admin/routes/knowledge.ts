import { z } from 'zod';
import { knowledgeDocuments } from '../knowledge-documents.js';
import { route } from '../route.js';

const documentInput = z.object({
  id: z.string().optional(),
  source: z.string(),
  content: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  documentSets: z.array(z.string()).optional(),
  acl: z.object({ public: z.boolean(), users: z.array(z.string()), groups: z.array(z.string()) }).optional(),
});

/** The document endpoints validate their own (possibly large) bodies; these entries describe and guard them. */
export const knowledgeRoutes = [
  route({
    method: 'POST',
    path: '/admin/knowledge/documents',
    summary: "Adds or replaces documents in the caller's organization.",
    minRole: 'curator',
    rawBody: true,
    body: z.object({ documents: z.array(documentInput) }),
    response: { status: 201, description: 'Stored document ids and summaries.' },
    handle: ({ app, principal, req, res }) => knowledgeDocuments(app, principal!, req, res, undefined),
  }),
  route({
    method: 'GET',
    path: '/admin/knowledge/documents',
    summary: "Lists the organization's documents.",
    minRole: 'curator',
    response: { status: 200, description: 'Document summaries.' },
    handle: ({ app, principal, req, res }) => knowledgeDocuments(app, principal!, req, res, undefined),
  }),
  route({
    method: 'GET',
    path: '/admin/knowledge/documents/:id',
    summary: 'One document with its content.',
    minRole: 'curator',
    response: { status: 200, description: 'The document.' },
    handle: ({ app, principal, params, req, res }) => knowledgeDocuments(app, principal!, req, res, params.id),
  }),
  route({
    method: 'DELETE',
    path: '/admin/knowledge/documents/:id',
    summary: 'Deletes a document and its chunks.',
    minRole: 'curator',
    response: { status: 204, description: 'Deleted.' },
    handle: ({ app, principal, params, req, res }) => knowledgeDocuments(app, principal!, req, res, params.id),
  }),
];
