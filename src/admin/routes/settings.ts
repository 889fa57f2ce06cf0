import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT } from '../../engine/index.js';
import { sendJson } from '../../server/http-io.js';
import type { AgentSettings } from '../settings-store.js';
import { route, type RouteContext } from '../route.js';

const settingsSchema = z.object({
  orgId: z.string(),
  model: z.string(),
  systemPrompt: z.string(),
  persona: z.string().nullable(),
  defaultTools: z.array(z.string()),
  updatedAt: z.string().nullable(),
});

const putBody = z.object({
  model: z.string().trim().min(1).max(200).optional(),
  systemPrompt: z.string().max(20_000).optional(),
  persona: z.string().max(5_000).nullable().optional(),
  defaultTools: z.array(z.string().min(1).max(64)).max(200).optional(),
});

function view(settings: AgentSettings, defaultModel: string) {
  return {
    settings: {
      orgId: settings.organizationId,
      model: settings.model ?? defaultModel,
      systemPrompt: settings.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
      persona: settings.persona ?? null,
      defaultTools: settings.defaultTools,
      updatedAt: settings.updatedAt,
    },
  };
}

export const getSettingsRoute = route({
  method: 'GET',
  path: '/admin/settings',
  summary: "The organization's agent settings (effective values).",
  minRole: 'curator',
  response: { status: 200, schema: z.object({ settings: settingsSchema }), description: 'Current settings.' },
  async handle({ app, principal, res }) {
    sendJson(res, 200, view(await app.settings.get(principal!.organizationId), app.config.model));
  },
});

export const putSettingsRoute = route({
  method: 'PUT',
  path: '/admin/settings',
  summary: "Updates the organization's model, system prompt, persona and default tools; the next turn uses them.",
  minRole: 'admin',
  body: putBody,
  response: { status: 200, schema: z.object({ settings: settingsSchema }), description: 'The stored settings.' },
  async handle({ app, principal, body, res }: RouteContext<z.output<typeof putBody>>) {
    const org = principal!.organizationId;
    const current = await app.settings.get(org);
    const next: AgentSettings = { ...current, updatedAt: app.now().toISOString() };
    if (body.model !== undefined) next.model = body.model;
    if (body.systemPrompt !== undefined) {
      if (body.systemPrompt.trim() === '') delete next.systemPrompt;
      else next.systemPrompt = body.systemPrompt;
    }
    if (body.persona !== undefined) {
      if (body.persona === null || body.persona.trim() === '') delete next.persona;
      else next.persona = body.persona;
    }
    if (body.defaultTools !== undefined) next.defaultTools = body.defaultTools;
    sendJson(res, 200, view(await app.settings.put(next), app.config.model));
  },
});
