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
  /** Bytes of the response body read and handed to the model; the rest is dropped and the cut marked. */
  maxResponseBytes: z.number().int().positive().max(16 * 1024 * 1024).default(64 * 1024),
  confirmation: z.string().min(1).max(500).optional(),
});

export type WebhookToolDefinition = z.output<typeof webhookToolDefinition>;

const ERROR_BODY_PREVIEW = 300;

/**
 * Reads at most `limit` bytes and stops the transfer there: a tool answering with megabytes must not
 * be buffered whole, nor flood the model's context.
 */
async function readCapped(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), truncated: false };
    const room = limit - read;
    if (value.byteLength > room) {
      // A character cut in half at the limit is dropped by the streaming decoder, not mangled.
      text += decoder.decode(value.subarray(0, room), { stream: true });
      await reader.cancel().catch(() => undefined);
      return { text, truncated: true };
    }
    read += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
}

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
      let truncated: boolean;
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
              ...(context.toolConfig ? { toolConfig: context.toolConfig } : {}),
            },
          }),
          signal: AbortSignal.any([context.signal, timeout]),
        });
        ({ text: body, truncated } = await readCapped(response, definition.maxResponseBytes));
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
      // A cut JSON document no longer parses: it goes to the model as the text it is, marked.
      if (truncated) return { content: `${body}\n[truncated: the response exceeded ${definition.maxResponseBytes} bytes]`, isError: false };
      return { content: resultFromBody(body, response.headers.get('content-type') ?? ''), isError: false };
    },
  };
}
