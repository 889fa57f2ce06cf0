import type { AccessContext, KnowledgeHit } from '../../knowledge/index.js';

export interface ToolContext {
  sessionId: string;
  conversationId: string;
  organizationId: string;
  agentId: string;
  access: AccessContext;
  /** Document sets the turn's retrieval is scoped to (the agent's); absent: every set. */
  documentSets?: readonly string[];
  /** Aborted when the turn is cancelled or the client disconnects; long-running tools must honour it. */
  signal: AbortSignal;
  /** Lets a tool report documents it used, so they become citations of the turn. */
  recordSources(hits: KnowledgeHit[]): void;
  /** This tool's config from the session's agent (`toolConfig.enabledTools[].config`), when it has one. */
  toolConfig?: Readonly<Record<string, unknown>>;
}

export interface ToolResult {
  content: string;
  isError: boolean;
}

/** A capability the model may call. `execute` may return a plain string for a successful result. */
export interface Tool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** How an approval card states a call, `{{argument}}` filled in: `"Refund order {{orderId}} ({{amount}})"`. */
  confirmation?: string;
  execute(args: Record<string, unknown>, context: ToolContext): Promise<string | ToolResult>;
}
