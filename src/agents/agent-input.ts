import { z } from 'zod';
import type { AgentConfig } from './types.js';

const text = (max: number) => z.string().max(max);
const id = z.string().trim().min(1).max(128);

const stepSchema = z.object({
  id,
  intent: text(2_000),
  criteria: text(2_000),
  next: id.optional(),
});

const workflowSchema = z
  .object({ goal: text(2_000), steps: z.array(stepSchema).min(1).max(50) })
  .superRefine((wf, ctx) => {
    const ids = new Set<string>();
    for (const [i, step] of wf.steps.entries()) {
      if (ids.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${step.id}"` });
      ids.add(step.id);
    }
    for (const [i, step] of wf.steps.entries()) {
      if (step.next !== undefined && !ids.has(step.next)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'next'], message: `no step "${step.next}" in this workflow` });
      }
    }
  });

// The reference's defaults for an entry that names only the tool: enabled, no auth needed.
const enabledToolSchema = z.object({
  toolId: id,
  enabled: z.boolean().default(true),
  authLevel: z.enum(['none', 'end_user', 'admin']).default('none'),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** An agent as an operator writes it (admin PUT body, or an entry of SMOOTH_AGENT_AGENTS_FILE without ids). */
export const agentBody = z.object({
  name: text(200).optional(),
  instructions: text(50_000).optional(),
  personality: text(10_000).optional(),
  greeting: text(2_000).optional(),
  conversationWorkflow: workflowSchema.optional(),
  toolConfig: z.object({ enabledTools: z.array(enabledToolSchema).max(500) }).optional(),
  visibility: z.enum(['public', 'internal']).default('public'),
  documentSets: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  suggestedQuestions: z.array(text(500)).max(20).optional(),
});

export type AgentBody = z.output<typeof agentBody>;

/** An entry of SMOOTH_AGENT_AGENTS_FILE: the body plus its ids (organization defaults to the server's). */
export const agentFileEntry = agentBody.extend({
  agentId: id,
  organizationId: id.optional(),
});

/** The stored record: blank optional texts dropped, so "unset" has one spelling. */
export function toAgentConfig(body: AgentBody, agentId: string, organizationId: string): AgentConfig {
  const config: AgentConfig = { agentId, organizationId, visibility: body.visibility };
  for (const key of ['name', 'instructions', 'personality', 'greeting', 'model'] as const) {
    const value = body[key];
    if (value !== undefined && value.trim() !== '') config[key] = value;
  }
  if (body.conversationWorkflow) config.conversationWorkflow = body.conversationWorkflow;
  if (body.toolConfig) config.toolConfig = body.toolConfig;
  if (body.documentSets) config.documentSets = body.documentSets;
  if (body.suggestedQuestions) config.suggestedQuestions = body.suggestedQuestions;
  return config;
}
