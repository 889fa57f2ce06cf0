import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConnectorNameTaken, connectorInput, type Connector, type ConnectorInput } from '../../connectors/index.js';
import { HttpError, sendJson } from '../../server/http-io.js';
import type { App } from '../../app.js';
import { connectorSchema, connectorView } from '../connector-views.js';
import { route, type RouteContext } from '../route.js';

const one = z.object({ connector: connectorSchema });

/** The organization's connector, or 404: another organization's id looks exactly like a missing one. */
export async function findConnector(app: App, organizationId: string, id: string | undefined): Promise<Connector> {
  const found = id === undefined ? undefined : await app.connectors.get(organizationId, id);
  if (!found) throw new HttpError(404, 'NOT_FOUND', 'connector not found');
  return found;
}

async function save(app: App, connector: Connector): Promise<Connector> {
  try {
    return await app.connectors.put(connector);
  } catch (err) {
    if (err instanceof ConnectorNameTaken) throw new HttpError(409, 'VALIDATION_ERROR', `name: ${err.message}`);
    throw err;
  }
}

export const listConnectorsRoute = route({
  method: 'GET',
  path: '/admin/connectors',
  summary: "The organization's connectors, by name.",
  minRole: 'curator',
  response: { status: 200, schema: z.object({ connectors: z.array(connectorSchema) }), description: 'All connectors.' },
  async handle({ app, principal, res }) {
    sendJson(res, 200, { connectors: (await app.connectors.list(principal!.organizationId)).map(connectorView) });
  },
});

export const createConnectorRoute = route({
  method: 'POST',
  path: '/admin/connectors',
  summary: 'Creates a file, web or github connector (kind is case-insensitive); 409 when the name is taken.',
  minRole: 'admin',
  body: connectorInput,
  response: { status: 201, schema: one, description: 'The stored connector.' },
  async handle({ app, principal, body, res }: RouteContext<ConnectorInput>) {
    const now = app.now().toISOString();
    const stored = await save(app, { ...body, id: randomUUID(), organizationId: principal!.organizationId, createdAt: now, updatedAt: now });
    sendJson(res, 201, { connector: connectorView(stored) });
  },
});

export const getConnectorRoute = route({
  method: 'GET',
  path: '/admin/connectors/:id',
  summary: 'One connector.',
  minRole: 'curator',
  response: { status: 200, schema: one, description: 'The connector.' },
  async handle({ app, principal, params, res }) {
    sendJson(res, 200, { connector: connectorView(await findConnector(app, principal!.organizationId, params.id)) });
  },
});

export const putConnectorRoute = route({
  method: 'PUT',
  path: '/admin/connectors/:id',
  summary: 'Replaces a connector, keeping its id and createdAt. Its next run starts over instead of resuming from the old cursor.',
  minRole: 'admin',
  body: connectorInput,
  response: { status: 200, schema: one, description: 'The stored connector.' },
  async handle({ app, principal, params, body, res }: RouteContext<ConnectorInput>) {
    const current = await findConnector(app, principal!.organizationId, params.id);
    const stored = await save(app, {
      ...body,
      id: current.id,
      organizationId: current.organizationId,
      createdAt: current.createdAt,
      updatedAt: app.now().toISOString(),
    });
    sendJson(res, 200, { connector: connectorView(stored) });
  },
});

export const deleteConnectorRoute = route({
  method: 'DELETE',
  path: '/admin/connectors/:id',
  summary: 'Deletes a connector. Its documents and run history stay.',
  minRole: 'admin',
  response: { status: 204, description: 'Deleted.' },
  async handle({ app, principal, params, res }) {
    if (!(await app.connectors.delete(principal!.organizationId, params.id ?? ''))) throw new HttpError(404, 'NOT_FOUND', 'connector not found');
    res.writeHead(204).end();
  },
});

export const connectorRoutes = [listConnectorsRoute, createConnectorRoute, getConnectorRoute, putConnectorRoute, deleteConnectorRoute];
