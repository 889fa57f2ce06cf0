import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { costFromHeaders } from './cost-headers.js';
import type { LlmProvider } from './llm-provider.js';
import { LlmError, type ChatCompletion, type ChatMessage, type ChatRequest, type ToolCallRequest, type ToolSpec } from './types.js';

export interface OpenAiProviderOptions {
  baseUrl: string;
  maxRetries: number;
  idleTimeoutMs: number;
  retryBaseDelayMs?: number;
  /** Injected so tests and hosts can route or observe HTTP; defaults to the global fetch. */
  fetch?: typeof fetch;
}

class IdleTimeout extends Error {}

function toWireMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
      case 'assistant':
        return m.toolCalls && m.toolCalls.length > 0
          ? {
              role: 'assistant',
              content: m.content === '' ? null : m.content,
              tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
            }
          : { role: 'assistant', content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  });
}

function toWireTools(tools: ToolSpec[]): ChatCompletionTool[] {
  return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
}

function isRetryable(err: unknown): boolean {
  if (err instanceof IdleTimeout) return true;
  if (err instanceof OpenAI.APIConnectionError) return true; // includes connection timeouts
  if (err instanceof OpenAI.APIError) return err.status === 429 || err.status === 408 || (err.status ?? 0) >= 500;
  return false;
}

/** Error text for the client: status and the gateway's own message, never request headers or keys. */
function describe(err: unknown): string {
  if (err instanceof IdleTimeout) return err.message;
  if (err instanceof OpenAI.APIError && err.status !== undefined) return `gateway returned ${err.status}`;
  if (err instanceof OpenAI.APIConnectionError) return 'could not reach the LLM gateway';
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Streams chat completions from any OpenAI-compatible gateway through the official SDK. */
export class OpenAiProvider implements LlmProvider {
  private readonly clients = new Map<string, OpenAI>();

  constructor(private readonly options: OpenAiProviderOptions) {}

  private client(apiKey: string): OpenAI {
    let client = this.clients.get(apiKey);
    if (!client) {
      // Retries are ours (see complete): the SDK cannot know whether a token already reached the user.
      client = new OpenAI({
        apiKey,
        baseURL: this.options.baseUrl,
        maxRetries: 0,
        timeout: this.options.idleTimeoutMs,
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      });
      this.clients.set(apiKey, client);
    }
    return client;
  }

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    const baseDelay = this.options.retryBaseDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let emitted = false;
      try {
        return await this.attempt(request, () => {
          emitted = true;
        });
      } catch (err) {
        if (request.signal.aborted) throw request.signal.reason;
        // Once text reached the user a retry would repeat it, so only pre-token failures are retried.
        if (emitted || attempt >= this.options.maxRetries || !isRetryable(err)) {
          throw new LlmError(describe(err), false);
        }
        const delay = Math.min(baseDelay * 2 ** attempt, 10_000) * (0.75 + Math.random() * 0.5);
        await sleep(delay, request.signal);
      }
    }
  }

  private async attempt(request: ChatRequest, markEmitted: () => void): Promise<ChatCompletion> {
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => idle.abort(new IdleTimeout(`LLM stream stalled for ${this.options.idleTimeoutMs} ms`)),
        this.options.idleTimeoutMs,
      );
    };
    const signal = AbortSignal.any([request.signal, idle.signal]);
    arm();
    try {
      const { data: stream, response } = await this.client(request.apiKey)
        .chat.completions.create(
          {
            model: request.model,
            messages: toWireMessages(request.messages),
            ...(request.tools.length > 0 ? { tools: toWireTools(request.tools), tool_choice: 'auto' as const } : {}),
            temperature: 0,
            max_tokens: request.maxTokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        )
        .withResponse();
      const costUsd = costFromHeaders(response.headers);
      let text = '';
      const calls = new Map<number, ToolCallRequest>();
      let promptTokens = 0;
      let completionTokens = 0;
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        arm();
        if (chunk.usage) {
          promptTokens += chunk.usage.prompt_tokens ?? 0;
          completionTokens += chunk.usage.completion_tokens ?? 0;
        }
        const delta = chunk.choices[0]?.delta;
        if (!delta) continue;
        if (typeof delta.content === 'string' && delta.content !== '') {
          text += delta.content;
          markEmitted();
          request.onText(delta.content);
        }
        for (const part of delta.tool_calls ?? []) {
          const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
          calls.set(part.index, call);
        }
      }
      // The SDK ends iteration quietly when aborted, so an abort must be re-raised here.
      if (request.signal.aborted) throw request.signal.reason;
      if (idle.signal.aborted) throw idle.signal.reason;
      const toolCalls = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
      return { text, toolCalls, promptTokens, completionTokens, costUsd };
    } catch (err) {
      // The SDK reports our idle abort as a generic abort; surface the real cause.
      if (idle.signal.aborted && !request.signal.aborted) throw idle.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
