import type { TurnEvent, TurnOutcome } from '../engine/index.js';
import { redactKey } from '../llm/key-resolver.js';
import { errorEvent, eventualResponse, streamChunk, streamToken, writeConfirmationRequired, type ServerEvent } from '../protocol/index.js';
import type { Connection } from './connection.js';
import { TurnCancelled } from './turn-slot.js';

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
  }
}

export interface TurnStart {
  signal: AbortSignal;
  emit: (event: TurnEvent) => void;
}

/**
 * Runs a turn (fresh or resumed) in the connection's single turn slot and streams it: engine events
 * as they come, then exactly one terminal event — eventual_response, or AGENT_ERROR — unless the
 * turn was cancelled or its client left, in which case nothing more is said.
 */
export function streamTurn(
  connection: Connection,
  requestId: string,
  apiKey: string | undefined,
  start: (turn: TurnStart) => Promise<TurnOutcome>,
): void {
  const { app } = connection;
  const controller = new AbortController();
  const slot = { requestId, controller };
  connection.activeTurn = slot;
  const emit = (event: TurnEvent) => {
    if (controller.signal.aborted) return;
    const wire = toWire(requestId, event);
    if (wire) connection.send(wire);
  };
  const turn = start({ signal: controller.signal, emit })
    .then(
      (outcome) => {
        if (controller.signal.aborted) return;
        const { messageId, reply, citations, usage } = outcome;
        connection.send(eventualResponse({ requestId, messageId, reply, citations, usage, ...(outcome.needsEscalation ? { needsEscalation: true } : {}) }, Date.now()));
      },
      (err: unknown) => {
        if (controller.signal.aborted || err instanceof TurnCancelled) return;
        // An upstream error may quote the key it was given; neither the log nor the client sees it.
        const reason = redactKey((err as Error).message ?? String(err), apiKey);
        app.logger.warn({ conn: connection.id, err: reason }, 'turn failed');
        connection.send(errorEvent(requestId, { code: 'AGENT_ERROR', message: `agent turn failed: ${reason}` }, Date.now()));
      },
    )
    .finally(() => {
      if (connection.activeTurn === slot) connection.activeTurn = undefined;
    });
  connection.tracker.track(turn, controller);
}
