import type { ToolCallRequest } from '../llm/index.js';
import type { ToolContext } from './tools/tool.js';
import type { TurnEvent } from './turn-events.js';

export type HookDecision =
  | { action: 'allow' }
  | { action: 'deny'; reason: string }
  /** The call waits for a decision made elsewhere (a human); the runner announces the call meanwhile. */
  | { action: 'await'; decision: Promise<HookDecision> };

export interface HookContext extends ToolContext {
  requestId: string;
  /** Reports to the client of the turn (e.g. that an approval is needed). */
  emit(event: TurnEvent): void;
}

/** Runs before every tool call; the first hook that does not allow decides. */
export interface ToolHook {
  beforeToolCall(call: ToolCallRequest, context: HookContext): Promise<HookDecision>;
}
