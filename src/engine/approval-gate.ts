import type { ToolCallRequest } from '../llm/index.js';
import type { Storage } from '../storage/index.js';
import type { ApprovalBroker } from './approval-broker.js';
import type { HookContext, HookDecision, ToolHook } from './hooks.js';

export interface ApprovalGateOptions {
  /** Tool-name substrings that need a human's approval. */
  patterns: readonly string[];
  timeoutMs: number;
  storage: Storage;
  broker: ApprovalBroker;
  now: () => Date;
}

export const DENIED_BY_USER = 'User denied: user rejected the action';
export const DENIED_BY_TIMEOUT = 'confirmation timeout';

/** Human-in-the-loop: parks a matching tool call until confirm_tool_action, a timeout or a cancel. */
export class ApprovalGate implements ToolHook {
  constructor(private readonly options: ApprovalGateOptions) {}

  requiresApproval(toolName: string): boolean {
    return this.options.patterns.some((p) => toolName.includes(p));
  }

  async beforeToolCall(call: ToolCallRequest, context: HookContext): Promise<HookDecision> {
    if (!this.requiresApproval(call.name)) return { action: 'allow' };
    const { storage, broker, now, timeoutMs } = this.options;
    const createdAt = now();
    // Waiter first, record second: a confirm can only find the record once something will hear it.
    const outcome = broker.wait(context.sessionId, timeoutMs, context.signal);
    await storage.putPendingApproval({
      sessionId: context.sessionId,
      requestId: context.requestId,
      toolCallId: call.id,
      toolName: call.name,
      arguments: call.arguments,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + timeoutMs).toISOString(),
    });
    context.emit({ type: 'approval_required', toolName: call.name });
    const decision = outcome.then(
      async (result): Promise<HookDecision> => {
        if (result === 'approved') return { action: 'allow' };
        if (result === 'timeout') {
          await storage.takePendingApproval(context.sessionId);
          return { action: 'deny', reason: DENIED_BY_TIMEOUT };
        }
        return { action: 'deny', reason: DENIED_BY_USER };
      },
      async (err: unknown) => {
        // Cancelled or disconnected: the approval must not outlive the turn that asked for it.
        await storage.takePendingApproval(context.sessionId).catch(() => undefined);
        throw err;
      },
    );
    return { action: 'await', decision };
  }
}
