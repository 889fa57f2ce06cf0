import { z } from 'zod';
import { agentBody, toAgentConfig, type AgentBody } from '../../agents/agent-input.js';
import type { AgentConfig } from '../../agents/types.js';
import { HttpError, sendJson } from '../../server/http-io.js';
import { route, type RouteContext } from '../route.js';

const stepSchema = z.object({ id: z.string(), intent: z.string(), criteria: z.string(), next: z.string().optional() });
const agentSchema = z.object({
  agentId: z.string(),
  organizationId: z.string(),
  name: z.string().optional(),
  instructions: z.string().optional(),
  personality: z.string().optional(),
  greeting: z.string().optional(),
  conversationWorkflow: z.object({ goal: z.string(), steps: z.array(stepSchema) }).optional(),
  toolConfig: z
    .object({
      enabledTools: z.array(
        z.object({
          toolId: z.string(),
          enabled: z.boolean(),
          authLevel: z.enum(['none', 'end_user', 'admin']),
          config: z.record(z.string(), z.unknown()).optional(),
        }),
      ),
    })
    .optional(),
  visibility: z.enum(['public', 'internal']),
  documentSets: z.array(z.string()).optional(),
  model: z.string().optional(),
  suggestedQuestions: z.array(z.string()).optional(),
});
const one = z.object({ agent: agentSchema });

// Agent ids are the same ids the widget sends as create_conversation_session.agentId.
const AGENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function agentIdOf(params: Record<string, string>): string {
  const id = params.agentId ?? '';
  if (!AGENT_ID.test(id)) throw new HttpError(404, 'NOT_FOUND', 'agent not found');
  return id;
}

const view = (agent: AgentConfig) => ({ agent });

export const listAgentsRoute = route({
  method: 'GET',
  path: '/admin/agents',
  summary: "The organization's agent configs, by agent id.",
  minRole: 'curator',
  response: { status: 200, schema: z.object({ agents: z.array(agentSchema) }), description: 'All agents.' },
  async handle({ app, principal, res }) {
    sendJson(res, 200, { agents: await app.agents.list(principal!.organizationId) });
  },
});

export const getAgentRoute = route({
  method: 'GET',
  path: '/admin/agents/:agentId',
  summary: 'One agent config; 404 when the organization has no agent of that id.',
  minRole: 'curator',
  response: { status: 200, schema: one, description: 'The agent.' },
  async handle({ app, principal, params, res }) {
    const found = await app.agents.get(principal!.organizationId, agentIdOf(params));
    if (!found) throw new HttpError(404, 'NOT_FOUND', 'agent not found');
    sendJson(res, 200, view(found));
  },
});

export const putAgentRoute = route({
  method: 'PUT',
  path: '/admin/agents/:agentId',
  summary:
    "Creates or replaces an agent's behaviour: instructions, personality, greeting, workflow, tool allow-list with auth levels and per-tool config, " +
    'visibility, document sets and default model. The next turn of every session with this agent uses it.',
  minRole: 'admin',
  body: agentBody,
  response: { status: 200, schema: one, description: 'The stored agent.' },
  async handle({ app, principal, params, body, res }: RouteContext<AgentBody>) {
    const stored = await app.agents.put(toAgentConfig(body, agentIdOf(params), principal!.organizationId));
    sendJson(res, 200, view(stored));
  },
});

export const deleteAgentRoute = route({
  method: 'DELETE',
  path: '/admin/agents/:agentId',
  summary: "Deletes an agent config; its sessions go back to the organization's settings on their next turn.",
  minRole: 'admin',
  response: { status: 204, description: 'Deleted.' },
  async handle({ app, principal, params, res }) {
    if (!(await app.agents.delete(principal!.organizationId, agentIdOf(params)))) throw new HttpError(404, 'NOT_FOUND', 'agent not found');
    res.writeHead(204).end();
  },
});

export const agentRoutes = [listAgentsRoute, getAgentRoute, putAgentRoute, deleteAgentRoute];
