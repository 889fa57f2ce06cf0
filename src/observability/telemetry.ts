import { AsyncLocalStorage } from 'node:async_hooks';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { ChatCompletion, ChatRequest, LlmProvider } from '../llm/index.js';
import type { Tool } from '../engine/tools/tool.js';
import type { Storage } from '../storage/index.js';
import type { Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';

/** How a turn ended, for the turns counter and the turn span. */
export type TurnEnd = 'completed' | 'failed' | 'cancelled' | 'released';

export interface TurnAttributes {
  requestId: string;
  sessionId: string;
  conversationId: string;
  organizationId: string;
  agentId: string;
  resumed: boolean;
}

/** What the server reports about one turn. With telemetry off every call is a no-op. */
export interface TurnProbe {
  /** Runs the turn inside its span, so model and tool spans become its children. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Called for every streamed token; only the first is measured. */
  token(): void;
  end(outcome: TurnEnd, code?: string): void;
}

const NOOP_PROBE: TurnProbe = {
  run: (work) => work(),
  token: () => undefined,
  end: () => undefined,
};

/** The GenAI semantic-convention attribute names used on spans. */
const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  maxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  conversationId: 'gen_ai.conversation.id',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
} as const;

const STORAGE_METHODS = [
  'createConversation',
  'getConversation',
  'listConversations',
  'addParticipant',
  'getParticipant',
  'appendMessage',
  'listMessages',
  'createSession',
  'getSession',
  'updateSession',
  'putPendingApproval',
  'getPendingApproval',
  'takePendingApproval',
] as const;

/**
 * Metrics and traces behind one seam. Each part exists only when configured; the decorators are
 * only installed then, so a server with both off runs exactly the code it ran before.
 */
export class Telemetry {
  /** Per model call: how many HTTP attempts its fetches made (retries = attempts − 1). */
  private readonly attempts = new AsyncLocalStorage<{ count: number }>();

  constructor(
    readonly metrics: Metrics | undefined,
    readonly tracing: Tracing | undefined,
  ) {}

  get enabled(): boolean {
    return this.metrics !== undefined || this.tracing !== undefined;
  }

  turn(attributes: TurnAttributes): TurnProbe {
    if (!this.enabled) return NOOP_PROBE;
    const { metrics, tracing } = this;
    const started = performance.now();
    let firstToken = false;
    let ended = false;
    const span: Span | undefined = tracing?.tracer.startSpan('invoke_agent smooth-agent', {
      kind: SpanKind.INTERNAL,
      attributes: {
        [GEN_AI.operation]: 'invoke_agent',
        [GEN_AI.agentName]: 'smooth-agent',
        [GEN_AI.agentId]: attributes.agentId,
        [GEN_AI.conversationId]: attributes.conversationId,
        'smooth_operator.request_id': attributes.requestId,
        'smooth_operator.organization_id': attributes.organizationId,
        'smooth_operator.resumed': attributes.resumed,
      },
    });
    return {
      run: (work) => (span ? context.with(trace.setSpan(context.active(), span), work) : work()),
      token() {
        if (firstToken) return;
        firstToken = true;
        metrics?.timeToFirstToken.observe((performance.now() - started) / 1000);
        span?.addEvent('first_token');
      },
      end(outcome, code = '') {
        if (ended) return;
        ended = true;
        metrics?.turns.inc({ outcome, code });
        metrics?.turnDuration.observe({ outcome }, (performance.now() - started) / 1000);
        if (span) {
          span.setAttribute('smooth_operator.turn.outcome', outcome);
          if (code) span.setAttribute('error.type', code);
          if (outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          span.end();
        }
      },
    };
  }

  /** A `chat {model}` span per model call and the gateway-retry count; the provider is unchanged otherwise. */
  llm(provider: LlmProvider): LlmProvider {
    if (!this.enabled) return provider;
    const { metrics, tracing, attempts } = this;
    const call = async (request: ChatRequest, span: Span | undefined): Promise<ChatCompletion> => {
      const counter = { count: 0 };
      try {
        const completion = await attempts.run(counter, () => provider.complete(request));
        if (span) {
          const reported = (completion as ChatCompletion & { finishReason?: string }).finishReason;
          span.setAttributes({
            [GEN_AI.inputTokens]: completion.promptTokens,
            [GEN_AI.outputTokens]: completion.completionTokens,
            [GEN_AI.finishReasons]: [reported ?? (completion.toolCalls.length > 0 ? 'tool_calls' : 'stop')],
            [GEN_AI.responseModel]: request.model,
          });
        }
        return completion;
      } catch (err) {
        span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
        span?.setAttribute('error.type', (err as Error).name ?? 'Error');
        throw err;
      } finally {
        if (counter.count > 1) metrics?.gatewayRetries.inc(counter.count - 1);
        span?.end();
      }
    };
    return {
      complete(request) {
        if (!tracing) return call(request, undefined);
        return tracing.tracer.startActiveSpan(
          `chat ${request.model}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              [GEN_AI.operation]: 'chat',
              [GEN_AI.provider]: 'openai',
              [GEN_AI.system]: 'openai',
              [GEN_AI.requestModel]: request.model,
              [GEN_AI.maxTokens]: request.maxTokens,
            },
          },
          (span) => call(request, span),
        );
      },
    };
  }

  /** Counts each HTTP attempt of the model call it runs under (see llm()). */
  fetch(base: typeof fetch): typeof fetch {
    if (!this.metrics) return base;
    const { attempts } = this;
    return (input, init) => {
      const store = attempts.getStore();
      if (store) store.count++;
      return base(input, init);
    };
  }

  /** An `execute_tool {name}` span and the tool-calls counter around a tool. */
  tool(tool: Tool): Tool {
    if (!this.enabled) return tool;
    const { metrics, tracing } = this;
    const record = (outcome: 'ok' | 'error', span: Span | undefined) => {
      metrics?.toolCalls.inc({ tool: tool.name, outcome });
      if (span) {
        if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    };
    const run = async (args: Record<string, unknown>, ctx: Parameters<Tool['execute']>[1], span: Span | undefined) => {
      try {
        const result = await tool.execute(args, ctx);
        record(typeof result === 'string' || !result.isError ? 'ok' : 'error', span);
        return result;
      } catch (err) {
        record('error', span);
        throw err;
      }
    };
    return {
      ...tool,
      execute(args, ctx) {
        if (!tracing) return run(args, ctx, undefined);
        return tracing.tracer.startActiveSpan(
          `execute_tool ${tool.name}`,
          { kind: SpanKind.INTERNAL, attributes: { [GEN_AI.operation]: 'execute_tool', [GEN_AI.toolName]: tool.name, [GEN_AI.toolType]: 'function' } },
          (span) => run(args, ctx, span),
        );
      },
    };
  }

  /** Counts failed storage operations. The storage object itself is kept (instanceof checks hold). */
  storage(storage: Storage): Storage {
    const metrics = this.metrics;
    if (!metrics) return storage;
    const target = storage as unknown as Record<string, unknown>;
    for (const name of STORAGE_METHODS) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      const bound = (original as (...args: unknown[]) => Promise<unknown>).bind(storage);
      target[name] = (...args: unknown[]) =>
        bound(...args).catch((err: unknown) => {
          metrics.storageErrors.inc({ operation: name });
          throw err;
        });
    }
    return storage;
  }

  async close(): Promise<void> {
    await this.tracing?.shutdown().catch(() => undefined);
  }
}

export const NO_TELEMETRY = new Telemetry(undefined, undefined);
