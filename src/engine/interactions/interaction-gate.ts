import { randomUUID } from 'node:crypto';
import type { ToolCallRequest } from '../../llm/index.js';
import type { Storage } from '../../storage/index.js';
import type { HookContext, HookDecision, ToolHook } from '../hooks.js';
import type { InteractionBroker } from './interaction-broker.js';
import type { InteractionStore } from './interaction-store.js';
import { parseReason } from './kind.js';
import { kindByTool } from './kinds.js';
import { NO_RESPONSE_MESSAGE, payloadResult } from './payload.js';

export interface InteractionGateOptions {
  store: InteractionStore;
  broker: InteractionBroker;
  storage: Storage;
  timeoutMs: number;
  now: () => Date;
  /** Whether a checkpointed turn aborted while parked keeps its interaction for a later resume (see ApprovalGate). */
  keepOnAbort?: (reason: unknown) => boolean;
}

/** The submit was taken by another connection or process, which resumed the turn there. */
export class InteractionResolvedElsewhere extends Error {
  constructor() {
    super('the interaction was answered on another connection, where the turn continued');
    this.name = 'InteractionResolvedElsewhere';
  }
}

/** The render capabilities the session's client declared at create_conversation_session. */
export function clientSupports(metadata: Record<string, unknown>): readonly string[] {
  const declared = metadata.clientSupports;
  return Array.isArray(declared) ? declared.filter((c): c is string => typeof c === 'string') : [];
}

/**
 * Parks a raise-tool call (request_identity_intake, request_choices) when the session's client can
 * render the kind: records it with the turn's checkpoint, emits interaction_required, and answers the
 * call with whatever submit_interaction brings. A client without the capability is let through to the
 * tool itself, which tells the model to ask in plain text.
 */
export class InteractionGate implements ToolHook {
  constructor(private readonly options: InteractionGateOptions) {}

  async beforeToolCall(call: ToolCallRequest, context: HookContext): Promise<HookDecision> {
    const kind = kindByTool(call.name);
    if (!kind) return { action: 'allow' };
    const { store, broker, storage, now, timeoutMs, keepOnAbort = () => false } = this.options;
    const session = await storage.getSession(context.sessionId);
    if (!session || !clientSupports(session.metadata).includes(kind.capability)) return { action: 'allow' };
    let args: unknown;
    try {
      args = JSON.parse(call.arguments.trim() === '' ? '{}' : call.arguments);
    } catch {
      return { action: 'allow' }; // the tool reports the malformed arguments to the model
    }
    const parsed = typeof args === 'object' && args !== null && !Array.isArray(args) ? kind.parseSpec(args as Record<string, unknown>) : undefined;
    if (!parsed?.ok) return { action: 'allow' };

    const interactionId = randomUUID();
    const reason = parseReason(args as Record<string, unknown>);
    const createdAt = now();
    const checkpoint = context.checkpoint?.();
    const outcome = broker.wait(context.sessionId, timeoutMs, context.signal);
    const recorded = store.put({
      sessionId: context.sessionId,
      requestId: context.requestId,
      interactionId,
      kind: kind.kind,
      toolCallId: call.id,
      toolName: call.name,
      spec: parsed.spec,
      reason,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + timeoutMs).toISOString(),
      ...(checkpoint ? { checkpoint } : {}),
    });
    // Handlers attach before anything is awaited, so an abort during the write is never unhandled.
    const decision = Promise.all([outcome, recorded]).then(
      async ([result]): Promise<HookDecision> => {
        if (result !== 'timeout') return { action: 'result', result };
        const taken = await store.take(context.sessionId, interactionId);
        // Gone: a submit with no waiter to wake took it and is finishing the turn from the checkpoint.
        if (!taken && checkpoint) throw new InteractionResolvedElsewhere();
        return { action: 'result', result: payloadResult({ status: 'no_response', message: NO_RESPONSE_MESSAGE }) };
      },
      async (err: unknown) => {
        await recorded.catch(() => undefined);
        if (!(checkpoint && keepOnAbort(err))) await store.take(context.sessionId, interactionId).catch(() => undefined);
        throw err;
      },
    );
    decision.catch(() => undefined);
    try {
      await recorded;
    } catch (err) {
      broker.resolve(context.sessionId, payloadResult({ status: 'no_response', message: NO_RESPONSE_MESSAGE }));
      throw err;
    }
    context.emit({ type: 'interaction_required', interactionId, kind: kind.kind, spec: parsed.spec, reason });
    return { action: 'await', decision };
  }
}
