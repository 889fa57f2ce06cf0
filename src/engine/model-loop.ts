import type { AgentVisibility, ToolAuthLevel } from '../agents/types.js';
import type { AccessContext, KnowledgeHit } from '../knowledge/index.js';
import type { ChatMessage, LlmProvider, ToolCallRequest, ToolSpec } from '../llm/index.js';
import type { Usage } from '../protocol/index.js';
import type { Session, TurnCheckpoint } from '../storage/index.js';
import type { HookContext, ToolHook } from './hooks.js';
import { FINAL_ITERATION_REMINDER } from './prompt.js';
import { executeToolCall } from './tool-executor.js';
import type { Tool } from './tools/tool.js';
import type { TurnEvent } from './turn-events.js';

/** What the model ⇄ tools loop carries from step to step: exactly what a checkpoint freezes. */
export interface LoopState {
  readonly requestId: string;
  readonly model: string;
  readonly messages: ChatMessage[];
  readonly sources: KnowledgeHit[];
  readonly usage: Usage;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly toolSpecs: readonly ToolSpec[];
}

/** The fixed surroundings of one turn's loop. */
export interface LoopEnv {
  readonly session: Session;
  readonly apiKey: string;
  readonly access: AccessContext;
  /** The document sets the turn's retrieval is scoped to (absent: all). */
  readonly documentSets?: readonly string[];
  readonly signal: AbortSignal;
  emit(event: TurnEvent): void;
  readonly llm: LlmProvider;
  readonly hooks: readonly ToolHook[];
  readonly maxIterations: number;
  readonly maxTokens: number;
  /** Per-tool config of the session's agent, by tool name. */
  readonly toolConfigs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Auth level of each tool on the session's agent, and the agent's visibility, for the auth gate. */
  readonly toolAuthLevels?: ReadonlyMap<string, ToolAuthLevel>;
  readonly visibility?: AgentVisibility;
}

export function toolContext(env: LoopEnv, state: LoopState, toolName?: string): HookContext {
  const { session } = env;
  const toolConfig = toolName === undefined ? undefined : env.toolConfigs?.get(toolName);
  const toolAuthLevel = toolName === undefined ? undefined : env.toolAuthLevels?.get(toolName);
  return {
    ...(toolConfig ? { toolConfig } : {}),
    ...(toolAuthLevel ? { toolAuthLevel } : {}),
    ...(env.visibility ? { agentVisibility: env.visibility } : {}),
    requestId: state.requestId,
    sessionId: session.sessionId,
    conversationId: session.conversationId,
    organizationId: session.organizationId,
    agentId: session.agentId,
    access: env.access,
    ...(env.documentSets ? { documentSets: env.documentSets } : {}),
    signal: env.signal,
    emit: env.emit,
    recordSources: (hits) => state.sources.push(...hits),
  };
}

/** A deep copy, so later steps of this turn cannot change what was stored. */
function freeze(state: LoopState, iteration: number, call: ToolCallRequest, remaining: readonly ToolCallRequest[]): TurnCheckpoint {
  return structuredClone({
    requestId: state.requestId,
    model: state.model,
    iteration,
    messages: state.messages,
    toolCall: call,
    remainingToolCalls: [...remaining],
    toolNames: [...state.tools.keys()],
    sources: state.sources,
    usage: state.usage,
  });
}

/** Reports a tool's result and adds it to the conversation the model sees next. */
export function recordToolResult(env: LoopEnv, state: LoopState, call: ToolCallRequest, result: { content: string; isError: boolean }): void {
  env.emit({ type: 'tool_result', name: call.name, isError: result.isError, result: result.content });
  state.messages.push({ role: 'tool', toolCallId: call.id, content: result.content });
}

/** Runs one assistant message's tool calls in order, each through the hooks; any of them may park. */
export async function runToolCalls(env: LoopEnv, state: LoopState, iteration: number, calls: readonly ToolCallRequest[]): Promise<void> {
  for (const [index, call] of calls.entries()) {
    const result = await executeToolCall(
      call,
      { ...toolContext(env, state, call.name), checkpoint: () => freeze(state, iteration, call, calls.slice(index + 1)) },
      { tools: state.tools, hooks: env.hooks, announce: (c) => env.emit({ type: 'tool_call', name: c.name, arguments: c.arguments }) },
    );
    if (env.signal.aborted) throw env.signal.reason;
    recordToolResult(env, state, call, result);
  }
}

/** The model ⇄ tools loop from iteration `first` up to the limit; returns the final reply text. */
export async function runModelLoop(env: LoopEnv, state: LoopState, first: number): Promise<string> {
  let reply = '';
  for (let iteration = first; iteration <= env.maxIterations; iteration++) {
    const last = iteration === env.maxIterations;
    if (last && iteration > 1) state.messages.push({ role: 'system', content: FINAL_ITERATION_REMINDER });
    const completion = await env.llm.complete({
      model: state.model,
      messages: state.messages,
      // On the final step the model gets no tools, so it has to answer.
      tools: last && iteration > 1 ? [] : [...state.toolSpecs],
      maxTokens: env.maxTokens,
      apiKey: env.apiKey,
      signal: env.signal,
      onText: (text) => env.emit({ type: 'token', text }),
    });
    state.usage.costUsd += completion.costUsd;
    state.usage.promptTokens += completion.promptTokens;
    state.usage.completionTokens += completion.completionTokens;
    reply = completion.text;
    if (completion.toolCalls.length === 0 || last) break;
    state.messages.push({ role: 'assistant', content: completion.text, toolCalls: completion.toolCalls });
    await runToolCalls(env, state, iteration, completion.toolCalls);
  }
  return reply;
}
