import type { ToolCallRequest } from '../llm/index.js';
import type { HookContext, HookDecision, ToolHook } from './hooks.js';
import type { Tool, ToolContext, ToolResult } from './tools/tool.js';

function parseArguments(raw: string): Record<string, unknown> | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed === 'null') return {};
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface ExecuteOptions {
  tools: ReadonlyMap<string, Tool>;
  hooks: readonly ToolHook[];
  /** Called once, before the call runs or waits for approval, so the client sees what is pending. */
  announce(call: ToolCallRequest): void;
}

/** Runs one tool call through the hooks. Tool failures become error results; only aborts propagate. */
export async function executeToolCall(call: ToolCallRequest, context: HookContext, options: ExecuteOptions): Promise<ToolResult> {
  let announced = false;
  const announce = () => {
    if (!announced) options.announce(call);
    announced = true;
  };
  for (const hook of options.hooks) {
    let decision: HookDecision = await hook.beforeToolCall(call, context);
    if (decision.action === 'await') {
      announce();
      decision = await decision.decision;
    }
    if (decision.action === 'deny') {
      announce();
      return { content: `blocked by hook: ${decision.reason}`, isError: true };
    }
    if (decision.action === 'result') {
      announce();
      return decision.result;
    }
  }
  announce();
  return runTool(call, context, options.tools);
}

/** Runs one tool call that the hooks already allowed (or a human approved). */
export async function runTool(call: ToolCallRequest, context: ToolContext, tools: ReadonlyMap<string, Tool>): Promise<ToolResult> {
  const tool = tools.get(call.name);
  if (!tool) return { content: `unknown tool: ${call.name}`, isError: true };
  const args = parseArguments(call.arguments);
  if (!args) return { content: `error: arguments for ${call.name} are not a JSON object`, isError: true };
  try {
    const result = await tool.execute(args, context);
    return typeof result === 'string' ? { content: result, isError: false } : result;
  } catch (err) {
    if (context.signal.aborted) throw context.signal.reason;
    return { content: `error: ${(err as Error).message ?? String(err)}`, isError: true };
  }
}
