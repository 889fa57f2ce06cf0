import { Pool } from 'undici';
import { createParser } from 'eventsource-parser';
import { costFromHeaders } from './cost-headers.js';
import type { LlmProvider } from './llm-provider.js';
import { LlmError, type ChatCompletion, type ChatMessage, type ChatRequest, type ToolCallRequest, type ToolSpec } from './types.js';
import { fetchTransport, poolTransport, type GatewayResponse, type GatewayTransport } from './gateway-transport.js';

export interface OpenAiProviderOptions {
  baseUrl: string;
  maxRetries: number;
  /** A stream (or a wait for response headers) silent for this long is dead; the attempt may be retried. */
  idleTimeoutMs: number;
  /**
   * The whole wait for the first token of a completion, across every retry: past it the turn fails
   * at once instead of retrying an unresponsive gateway `maxRetries` more times. Unset: no total bound.
   */
  firstTokenTimeoutMs?: number;
  retryBaseDelayMs?: number;
  /** Keep-alive sockets per gateway origin (default 128); requests beyond it queue. */
  connections?: number;
  /** Injected so tests and hosts can route or observe HTTP; without it requests go over an undici Pool. */
  fetch?: typeof fetch;
}

/** Bounds one SSE event (a gateway that never sends a blank line must not grow a buffer forever). */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;
/** A gateway's error body is read for nothing but its status; this much is drained, the rest dropped. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** Failures of one attempt, classified so `complete` knows what may be retried and what to tell the client. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
class IdleTimeout extends AttemptError {}
class FirstTokenTimeout extends Error {}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

function toWireMessage(m: ChatMessage): Record<string, unknown> {
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
}

/** Tool specs are built once per process (see TurnRunner); their wire JSON is too. */
const toolJson = new WeakMap<ToolSpec, string>();
function wireTool(t: ToolSpec): string {
  let json = toolJson.get(t);
  if (json === undefined) {
    json = JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } });
    toolJson.set(t, json);
  }
  return json;
}

function requestBody(request: ChatRequest): string {
  const head = {
    model: request.model,
    messages: request.messages.map(toWireMessage),
    temperature: 0,
    max_tokens: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  };
  const json = JSON.stringify(head);
  if (request.tools.length === 0) return json;
  return `${json.slice(0, -1)},"tools":[${request.tools.map(wireTool).join(',')}],"tool_choice":"auto"}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
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

interface StreamChunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/**
 * Streams chat completions from any OpenAI-compatible gateway: one undici Pool per gateway origin
 * (keep-alive), the SSE body parsed by eventsource-parser. Measured against the `openai` SDK by
 * bench/llm-client.mjs; the SDK's per-request option, header and stream wrapping was most of a
 * turn's client-side cost.
 */
export class OpenAiProvider implements LlmProvider {
  private readonly transport: GatewayTransport;
  private readonly pool: Pool | undefined;
  private readonly path: string;

  constructor(private readonly options: OpenAiProviderOptions) {
    const url = new URL(options.baseUrl.replace(/\/+$/, '') + '/chat/completions');
    this.path = url.pathname + url.search;
    if (options.fetch) {
      this.transport = fetchTransport(options.fetch, url.href);
    } else {
      this.pool = new Pool(url.origin, { connections: options.connections ?? 128, pipelining: 1 });
      this.transport = poolTransport(this.pool, this.path);
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  async complete(request: ChatRequest): Promise<ChatCompletion> {
    const baseDelay = this.options.retryBaseDelayMs ?? 250;
    const budgetMs = this.options.firstTokenTimeoutMs;
    // One controller for the turn's whole wait for a first token: it also cuts a retry's back-off short.
    const firstToken = new AbortController();
    let budget: NodeJS.Timeout | undefined;
    if (budgetMs !== undefined && budgetMs > 0) {
      budget = setTimeout(() => firstToken.abort(new FirstTokenTimeout(`the LLM gateway sent no token within ${budgetMs} ms`)), budgetMs);
    }
    const gotFirstToken = () => clearTimeout(budget);
    const onRequestAbort = () => firstToken.abort(request.signal.reason);
    request.signal.addEventListener('abort', onRequestAbort, { once: true });
    try {
      for (let attempt = 0; ; attempt++) {
        let emitted = false;
        try {
          return await this.attempt(request, firstToken.signal, gotFirstToken, () => {
            emitted = true;
          });
        } catch (err) {
          if (request.signal.aborted) throw request.signal.reason;
          if (firstToken.signal.aborted) throw new LlmError((firstToken.signal.reason as Error).message, false);
          // Once text reached the user a retry would repeat it, so only pre-token failures are retried.
          const retryable = err instanceof AttemptError && err.retryable;
          if (emitted || attempt >= this.options.maxRetries || !retryable) {
            throw new LlmError(err instanceof AttemptError ? err.message : 'the LLM call failed', false);
          }
          const delay = Math.min(baseDelay * 2 ** attempt, 10_000) * (0.75 + Math.random() * 0.5);
          try {
            await sleep(delay, firstToken.signal);
          } catch {
            if (request.signal.aborted) throw request.signal.reason;
            throw new LlmError((firstToken.signal.reason as Error).message, false);
          }
        }
      }
    } finally {
      clearTimeout(budget);
      request.signal.removeEventListener('abort', onRequestAbort);
    }
  }

  private async attempt(
    request: ChatRequest,
    outer: AbortSignal,
    gotFirstToken: () => void,
    markEmitted: () => void,
  ): Promise<ChatCompletion> {
    const controller = new AbortController();
    const idleMs = this.options.idleTimeoutMs;
    const idle = setTimeout(() => controller.abort(new IdleTimeout(`LLM stream stalled for ${idleMs} ms`, true)), idleMs);
    const onOuterAbort = () => controller.abort(outer.reason);
    outer.addEventListener('abort', onOuterAbort, { once: true });
    let response: GatewayResponse | undefined;
    let complete = false;
    try {
      try {
        response = await this.transport.send(requestBody(request), request.apiKey, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw new AttemptError('could not reach the LLM gateway', true);
      }
      idle.refresh();
      if (response.status < 200 || response.status >= 300) {
        await response.discard(ERROR_BODY_LIMIT);
        throw new AttemptError(`gateway returned ${response.status}`, isRetryableStatus(response.status));
      }
      const costUsd = costFromHeaders(response.header);

      let text = '';
      const calls = new Map<number, ToolCallRequest>();
      let promptTokens = 0;
      let completionTokens = 0;
      let finished = false;
      let done = false;
      let started = false;
      const onChunk = (chunk: StreamChunk) => {
        if (chunk.error !== undefined) throw new AttemptError('the LLM gateway reported an error in the stream', false);
        if (chunk.usage) {
          promptTokens += chunk.usage.prompt_tokens ?? 0;
          completionTokens += chunk.usage.completion_tokens ?? 0;
        }
        const choice = chunk.choices?.[0];
        if (!choice) return;
        if (choice.finish_reason) finished = true;
        const delta = choice.delta;
        if (!delta) return;
        if (typeof delta.content === 'string' && delta.content !== '') {
          if (!started) {
            started = true;
            gotFirstToken();
          }
          text += delta.content;
          markEmitted();
          request.onText(delta.content);
        }
        if (delta.tool_calls) {
          if (!started) {
            started = true;
            gotFirstToken();
          }
          for (const part of delta.tool_calls) {
            const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
            if (part.id) call.id = part.id;
            if (part.function?.name) call.name += part.function.name;
            if (part.function?.arguments) call.arguments += part.function.arguments;
            calls.set(part.index, call);
          }
        }
      };
      const parser = createParser({
        maxBufferSize: MAX_EVENT_BYTES,
        onEvent: (event) => {
          if (done) return;
          if (event.data === '[DONE]') {
            done = true;
            return;
          }
          let chunk: StreamChunk;
          try {
            chunk = JSON.parse(event.data) as StreamChunk;
          } catch {
            throw new AttemptError('the LLM gateway sent a malformed stream event', false);
          }
          onChunk(chunk);
        },
        onError: () => {
          throw new AttemptError('the LLM gateway sent a malformed stream', false);
        },
      });
      try {
        await response.read((piece) => {
          idle.refresh();
          parser.feed(piece);
          return done;
        });
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        if (err instanceof AttemptError) throw err;
        throw new AttemptError('the LLM gateway connection failed mid-stream', true);
      }
      if (controller.signal.aborted) throw controller.signal.reason;
      // A stream that simply stops — no finish_reason, no [DONE] — is a cut-off reply, not a short one.
      if (!done && !finished) throw new AttemptError('the LLM stream ended before the reply was complete', true);
      const toolCalls = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
      complete = true;
      return { text, toolCalls, promptTokens, completionTokens, costUsd };
    } finally {
      clearTimeout(idle);
      outer.removeEventListener('abort', onOuterAbort);
      // Ending early (abort, [DONE] before the body closed, an error) must give the socket back.
      response?.close(complete);
    }
  }
}
