import { z } from 'zod';
import { ConnectorBusy, ConnectorDisabled, IndexingFailed, SourceSetupError } from '../../connectors/index.js';
import { HttpError, sendJson } from '../../server/http-io.js';
import { runSchema, runView } from '../connector-views.js';
import { route } from '../route.js';
import { findConnector } from './connectors.js';

const DEFAULT_RUNS = 100;
const MAX_RUNS = 1000;

const runsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_RUNS).default(DEFAULT_RUNS),
  connectorId: z.string().min(1).optional(),
});

export const indexConnectorRoute = route({
  method: 'POST',
  path: '/admin/connectors/:id/index',
  summary:
    'Runs the connector once, from its last cursor, and returns the run. 400 when its auth_ref does not resolve; 409 when disabled or already running; 500 "indexing failed: …" with the run recorded as failed.',
  minRole: 'curator',
  response: { status: 200, schema: z.object({ run: runSchema }), description: 'The succeeded run.' },
  async handle({ app, principal, params, res }) {
    const connector = await findConnector(app, principal!.organizationId, params.id);
    try {
      sendJson(res, 200, { run: runView(await app.indexer.runOnce(connector)) });
    } catch (err) {
      if (err instanceof SourceSetupError) throw new HttpError(400, 'VALIDATION_ERROR', `config.${err.field}: ${err.message}`);
      if (err instanceof ConnectorDisabled || err instanceof ConnectorBusy) throw new HttpError(409, 'VALIDATION_ERROR', err.message);
      if (err instanceof IndexingFailed) throw new HttpError(500, 'INTERNAL_ERROR', err.message);
      throw err;
    }
  },
});

export const listRunsRoute = route({
  method: 'GET',
  path: '/admin/indexing/runs',
  summary: "The organization's indexing runs, newest first.",
  minRole: 'curator',
  queryParams: [
    { name: 'limit', description: `Most runs returned (1-${MAX_RUNS}, default ${DEFAULT_RUNS}).`, schema: { type: 'integer', minimum: 1, maximum: MAX_RUNS } },
    { name: 'connectorId', description: "Only this connector's runs.", schema: { type: 'string' } },
  ],
  response: { status: 200, schema: z.object({ runs: z.array(runSchema) }), description: 'Runs, newest first.' },
  async handle({ app, principal, query, res }) {
    const parsed = runsQuery.safeParse(Object.fromEntries(query));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, 'VALIDATION_ERROR', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
    }
    const runs = await app.indexingRuns.list(principal!.organizationId, parsed.data);
    sendJson(res, 200, { runs: runs.map(runView) });
  },
});
