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
  /**
   * Whether a checkpointed turn aborted while parked (its client disconnected, the server is stopping)
   * leaves its approval in storage, for a later confirm_tool_action to resume from the checkpoint.
   * Default: never, so the approval dies with the turn. A user's cancel should always discard it.
   */
  keepOnAbort?: (reason: unknown) => boolean;
  /**
   * Subscribes to notices that some process resolved a session's approval (a confirm that found no
   * waiter where it arrived and resumed the turn there); returns the unsubscribe. Without it a turn
   * parked here only learns of that at its own timeout.
   */
  watchResolution?: (sessionId: string, onNotice: () => void) => () => void;
  /** The approval card's wording for a call (see action-description.ts). */
  describe?: (call: ToolCallRequest) => string;
}

/**
 * The approval a turn was parked on was taken by a confirm elsewhere (another connection or process),
 * which resumed the turn from its checkpoint; this copy of the turn must stop without answering.
 */
export class ApprovalResolvedElsewhere extends Error {
  constructor() {
    super('the approval was answered on another connection, where the turn continued');
    this.name = 'ApprovalResolvedElsewhere';
  }
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
    const { storage, broker, now, timeoutMs, keepOnAbort = () => false, watchResolution } = this.options;
    const createdAt = now();
    const checkpoint = context.checkpoint?.();
    // Only this call's record: a later park of the same session (e.g. the resumed turn) must survive us.
    const mine = { requestId: context.requestId, toolCallId: call.id };
    // A notice is only a hint (anyone could publish one): the turn stops only if its record is really gone.
    const elsewhere = new AbortController();
    const unwatch =
      checkpoint && watchResolution
        ? watchResolution(context.sessionId, () => {
            storage.getPendingApproval(context.sessionId).then(
              (current) => {
                if (!current || current.requestId !== mine.requestId || current.toolCallId !== mine.toolCallId) {
                  elsewhere.abort(new ApprovalResolvedElsewhere());
                }
              },
              () => undefined,
            );
          })
        : undefined;
    // Waiter first, record second: a confirm can only find the record once something will hear it.
    const outcome = broker.wait(context.sessionId, timeoutMs, AbortSignal.any([context.signal, elsewhere.signal])).finally(() => unwatch?.());
    const recorded = storage.putPendingApproval({
      sessionId: context.sessionId,
      requestId: context.requestId,
      toolCallId: call.id,
      toolName: call.name,
      arguments: call.arguments,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + timeoutMs).toISOString(),
      ...(checkpoint ? { checkpoint } : {}),
    });
    // Handlers are attached before anything is awaited: an abort (cancel, disconnect, shutdown) can land
    // while the record is still being written, and an unhandled rejection would take the process down.
    const decision = Promise.all([outcome, recorded]).then(
      async ([result]): Promise<HookDecision> => {
        if (result === 'approved') return { action: 'allow' };
        if (result === 'timeout') {
          const taken = await storage.takePendingApproval(context.sessionId, mine);
          // Gone: a confirm with no waiter to wake (another process, or just after our timer) took it
          // and is finishing the turn from the checkpoint. Denying here too would answer twice.
          if (!taken && checkpoint) throw new ApprovalResolvedElsewhere();
          return { action: 'deny', reason: DENIED_BY_TIMEOUT };
        }
        return { action: 'deny', reason: DENIED_BY_USER };
      },
      async (err: unknown) => {
        // Never clear the record before it exists, or a cancelled turn's approval would linger.
        await recorded.catch(() => undefined);
        // Taken and resumed elsewhere: there is nothing of ours left to clear.
        if (err instanceof ApprovalResolvedElsewhere) throw err;
        // A checkpointed turn may outlive this process's copy of it (reconnect, restart); otherwise
        // the approval must not outlive the turn that asked for it.
        if (!(checkpoint && keepOnAbort(err))) await storage.takePendingApproval(context.sessionId, mine).catch(() => undefined);
        throw err;
      },
    );
    decision.catch(() => undefined);
    try {
      await recorded;
    } catch (err) {
      // Nothing was parked after all: release the waiter so no timer keeps it alive.
      broker.resolve(context.sessionId, false);
      throw err;
    }
    context.emit({ type: 'approval_required', toolName: call.name, ...(this.options.describe ? { description: this.options.describe(call) } : {}) });
    return { action: 'await', decision };
  }
}
