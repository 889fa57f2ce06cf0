import { z } from 'zod';
import type { Tool, ToolResult } from './tool.js';

export const webhookToolDefinition = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tool names are 1-64 characters of letters, digits, _ or -'),
  description: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()),
  url: z.url({ protocol: /^https?$/ }),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: z.number().int().positive().max(600_000).default(10_000),
  confirmation: z.string().min(1).max(500).optional(),
});

export type WebhookToolDefinition = z.output<typeof webhookToolDefinition>;

const ERROR_BODY_PREVIEW = 300;

function resultFromBody(body: string, contentType: string): string {
  if (contentType.startsWith('text/')) return body;
  if (contentType.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not valid JSON after all: the raw text is still the most useful thing to show the model.
    }
  }
  return body;
}

/**
 * A business action wired by configuration: calling it POSTs the arguments and turn context to a URL.
 * Failures become error results the model can see and explain; they never fail the turn.
 */
export function webhookTool(definition: WebhookToolDefinition, fetchImpl: typeof fetch = fetch): Tool {
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters,
    ...(definition.confirmation ? { confirmation: definition.confirmation } : {}),
    async execute(args, context): Promise<ToolResult> {
      const timeout = AbortSignal.timeout(definition.timeoutMs);
      let response: Response;
      let body: string;
      try {
        response = await fetchImpl(definition.url, {
          method: definition.method,
          headers: { 'content-type': 'application/json', accept: 'application/json, text/plain', ...definition.headers },
          body: JSON.stringify({
            tool: definition.name,
            arguments: args,
            context: {
              sessionId: context.sessionId,
              conversationId: context.conversationId,
              organizationId: context.organizationId,
              agentId: context.agentId,
            },
          }),
          signal: AbortSignal.any([context.signal, timeout]),
        });
        body = await response.text();
      } catch (err) {
        if (context.signal.aborted) throw context.signal.reason;
        if (timeout.aborted) return { content: `error: ${definition.name} timed out after ${definition.timeoutMs} ms`, isError: true };
        return { content: `error: ${definition.name} could not be reached (${(err as Error).message})`, isError: true };
      }
      if (!response.ok) {
        return {
          content: `error: ${definition.name} failed with HTTP ${response.status}: ${body.slice(0, ERROR_BODY_PREVIEW)}`,
          isError: true,
        };
      }
      return { content: resultFromBody(body, response.headers.get('content-type') ?? ''), isError: false };
    },
  };
}
