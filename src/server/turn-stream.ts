import { randomBytes } from 'node:crypto';
import { ApprovalResolvedElsewhere, type TurnEvent, type TurnOutcome } from '../engine/index.js';
import { redactKey } from '../llm/key-resolver.js';
import { LlmError } from '../llm/index.js';
import {
  errorEvent,
  eventualResponse,
  interactionRequired,
  otpSent,
  otpVerificationRequired,
  ProtocolError,
  streamChunk,
  streamToken,
  writeConfirmationRequired,
  type ErrorCode,
  type JsonValue,
  type ServerEvent,
} from '../protocol/index.js';
import type { Session } from '../storage/index.js';
import type { Connection } from './connection.js';
import { ShutdownRelease, TurnCancelled } from './turn-slot.js';

const TOOL_RESULT_PREVIEW_CHARS = 500;

/** Maps what the engine reports to the protocol's events for the turn's requestId. */
export function toWire(requestId: string, event: TurnEvent): ServerEvent | undefined {
  const now = Date.now();
  switch (event.type) {
    case 'token':
      return event.text === '' ? undefined : streamToken(requestId, event.text, now);
    case 'tool_call':
      return streamChunk(requestId, event.name, { rawResponse: { toolCall: { name: event.name, arguments: event.arguments } } }, now);
    case 'tool_result':
      return streamChunk(
        requestId,
        event.name,
        {
          rawResponse: {
            toolResult: { name: event.name, isError: event.isError, result: [...event.result].slice(0, TOOL_RESULT_PREVIEW_CHARS).join('') },
          },
        },
        now,
      );
    case 'approval_required':
      return writeConfirmationRequired(requestId, event.toolName, now, event.description);
    case 'interaction_required':
      return interactionRequired(requestId, {
          interactionId: event.interactionId,
          kind: event.kind,
          // Built from the model's JSON arguments by the kind's parser, so it is plain JSON.
          spec: event.spec as { [key: string]: JsonValue },
          reason: event.reason,
        }, now);
    case 'otp_verification_required':
      return otpVerificationRequired(
        requestId,
        {
          toolId: event.toolName,
          actionDescription: `Verify your identity to use '${event.toolName}'.`,
          availableChannels: event.channels,
          authLevel: event.authLevel,
        },
        now,
      );
    case 'otp_sent':
      return otpSent(requestId, { channel: event.channel, maskedDestination: event.maskedDestination }, now);
  }
}

export interface TurnStart {
  signal: AbortSignal;
  emit: (event: TurnEvent) => void;
}

/** What the client is told about a failed turn. Only text written for clients gets through. */
interface ClientFailure {
  code: ErrorCode;
  message: string;
  /** Set when the cause is logged under a reference the client can quote. */
  reference?: string;
}

function describeFailure(err: unknown, apiKey: string | undefined): ClientFailure {
  // The provider's messages are written to be shown; an upstream one may still quote the key it was given.
  if (err instanceof LlmError) return { code: 'AGENT_ERROR', message: `agent turn failed: ${redactKey(err.message, apiKey)}` };
  if (err instanceof ProtocolError) return { code: err.code, message: err.message };
  if (err instanceof ApprovalResolvedElsewhere) {
    return { code: 'TURN_CONTINUED_ELSEWHERE', message: 'the tool action was answered on another connection, which continues this turn' };
  }
  if (err instanceof ShutdownRelease) {
    return { code: 'SHUTTING_DOWN', message: 'the server shut down while this turn waited for confirmation; reconnect and send the message again' };
  }
  // Storage, settings, a bug: the detail stays in the server log, under a reference the client can quote.
  const reference = randomBytes(4).toString('hex');
  return { code: 'AGENT_ERROR', message: `agent turn failed: an internal error occurred (reference ${reference})`, reference };
}

/** Who the turn is for, so metrics and traces can say; optional so hosts' own callers keep working. */
export interface TurnSubject {
  session: Session;
  resumed: boolean;
}

/**
 * Runs a turn (fresh or resumed) in the connection's single turn slot and streams it: engine events
 * as they come, then exactly one terminal event — eventual_response, or an error — unless the turn
 * was cancelled or its client left, in which case nothing more is said.
 */
export function streamTurn(
  connection: Connection,
  requestId: string,
  apiKey: string | undefined,
  start: (turn: TurnStart) => Promise<TurnOutcome>,
  subject?: TurnSubject,
): void {
  const { app } = connection;
  const controller = new AbortController();
  const slot = { requestId, controller };
  connection.activeTurn = slot;
  const session = subject?.session;
  const probe = app.telemetry.turn({
    requestId,
    sessionId: session?.sessionId ?? '',
    conversationId: session?.conversationId ?? '',
    organizationId: session?.organizationId ?? '',
    agentId: session?.agentId ?? '',
    resumed: subject?.resumed ?? false,
  });
  const emit = (event: TurnEvent) => {
    if (controller.signal.aborted) return;
    if (event.type === 'token') probe.token();
    const wire = toWire(requestId, event);
    if (wire) connection.send(wire);
  };
  // The terminal event is sent inside the turn's span too, so what is logged about it carries the trace id.
  const turn = probe
    .run(() =>
      start({ signal: controller.signal, emit }).then(
        (outcome) => {
          if (controller.signal.aborted) return probe.end('cancelled');
          const { messageId, reply, citations, usage, needsEscalation } = outcome;
          connection.send(eventualResponse({ requestId, messageId, reply, citations, usage, ...(needsEscalation ? { needsEscalation } : {}) }, Date.now()));
          probe.end('completed');
          // After the answer is on its way: follow-up work (the workflow judge) never delays it.
          void outcome.afterResponse?.();
        },
        (err: unknown) => {
          if (err instanceof ShutdownRelease && err.resumable) return probe.end('released');
          if (controller.signal.aborted || (err instanceof TurnCancelled && !(err instanceof ShutdownRelease))) return probe.end('cancelled');
          const failure = describeFailure(err, apiKey);
          const detail = failure.reference ? { err, reference: failure.reference } : { err: failure.message };
          app.logger.warn({ conn: connection.id, requestId, code: failure.code, ...detail }, 'turn failed');
          connection.send(errorEvent(requestId, { code: failure.code, message: failure.message }, Date.now()));
          probe.end(err instanceof ShutdownRelease ? 'released' : 'failed', failure.code);
        },
      ),
    )
    .finally(() => {
      if (connection.activeTurn === slot) connection.activeTurn = undefined;
    });
  connection.tracker.track(turn, controller);
}
