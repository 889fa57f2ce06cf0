import { z } from 'zod';
import type { Connector, IndexingRun } from '../connectors/index.js';

/** The wire shapes of connectors and runs (the reference's), shared by the routes and their OpenAPI entries. */

export const connectorSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['file', 'web', 'github']),
  config: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const runSchema = z.object({
  id: z.string(),
  connectorId: z.string(),
  connectorName: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  documentsSeen: z.number().int(),
  chunksIndexed: z.number().int(),
  documentsSkipped: z.number().int(),
  cursor: z.string().nullable(),
  error: z.string().nullable(),
});

export function connectorView(connector: Connector): z.infer<typeof connectorSchema> {
  const { organizationId: _org, ...view } = connector;
  return { ...view, config: { ...view.config } };
}

export function runView(run: IndexingRun): z.infer<typeof runSchema> {
  const { organizationId: _org, ...view } = run;
  return view;
}
