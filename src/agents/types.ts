/**
 * Per-agent behaviour: what one agent of an organization says, which tools it may use and how a
 * conversation with it proceeds. Resolved on every turn, so a change applies on the next turn.
 *
 * Turn settings the agent fills (src/engine/turn-runner.ts `TurnSettings`), for the auth gate
 * (issue-11b) and other consumers:
 *   - `TurnSettings.toolAuthLevels?: ReadonlyMap<string, ToolAuthLevel>` — each offered tool's
 *     resolved auth level, keyed by tool name; a tool absent from the map is `'none'`.
 *   - `TurnSettings.visibility?: AgentVisibility` — the agent's visibility; absent means no agent
 *     config (treat as `'public'` only where a gate is configured).
 *   - `TurnSettings.toolConfigs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>` — per-tool
 *     config; webhook tools receive theirs as `context.toolConfig`.
 *   - `TurnSettings.documentSets?` — the agent's document sets (retrieval scoping).
 *   - `TurnSettings.agent?: AgentConfig` — the whole resolved record.
 */
export type ToolAuthLevel = 'none' | 'end_user' | 'admin';

export type AgentVisibility = 'public' | 'internal';

export interface WorkflowStep {
  id: string;
  intent: string;
  criteria: string;
  /** The step to go to when this one is met; absent → the next step in the list. */
  next?: string;
}

export interface ConversationWorkflow {
  goal: string;
  steps: WorkflowStep[];
}

export interface EnabledTool {
  toolId: string;
  enabled: boolean;
  authLevel: ToolAuthLevel;
  config?: Record<string, unknown>;
}

export interface AgentToolConfig {
  enabledTools: EnabledTool[];
}

export interface AgentConfig {
  agentId: string;
  organizationId: string;
  name?: string;
  instructions?: string;
  personality?: string;
  greeting?: string;
  conversationWorkflow?: ConversationWorkflow;
  toolConfig?: AgentToolConfig;
  visibility: AgentVisibility;
  documentSets?: string[];
  model?: string;
  suggestedQuestions?: string[];
}
