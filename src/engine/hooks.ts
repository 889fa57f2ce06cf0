import type { AgentVisibility, ToolAuthLevel } from '../agents/types.js';
import type { ToolCallRequest } from '../llm/index.js';
import type { TurnCheckpoint } from '../storage/index.js';
import type { ToolContext, ToolResult } from './tools/tool.js';
import type { TurnEvent } from './turn-events.js';

export type HookDecision =
  | { action: 'allow' }
  | { action: 'deny'; reason: string }
  /** The hook answers the call itself (e.g. with what a visitor submitted); the tool does not run. */
  | { action: 'result'; result: ToolResult }
  /** The call waits for a decision made elsewhere (a human); the runner announces the call meanwhile. */
  | { action: 'await'; decision: Promise<HookDecision> };

export interface HookContext extends ToolContext {
  requestId: string;
  /** Reports to the client of the turn (e.g. that an approval is needed). */
  emit(event: TurnEvent): void;
  /**
   * The turn frozen just before this call, for a hook that parks it (approvals): with it, any process
   * can finish the turn later. Absent where the caller cannot resume (then parking is in-process only).
   */
  checkpoint?(): TurnCheckpoint;
  /** This tool's auth level on the session's agent (TurnSettings.toolAuthLevels); absent means none. */
  toolAuthLevel?: ToolAuthLevel;
  /** The session's agent visibility (TurnSettings.visibility), when an agent config applies. */
  agentVisibility?: AgentVisibility;
}

/** Runs before every tool call; the first hook that does not allow decides. */
export interface ToolHook {
  beforeToolCall(call: ToolCallRequest, context: HookContext): Promise<HookDecision>;
}
