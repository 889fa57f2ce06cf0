import type { TurnEvent } from '../../engine/index.js';
import {
  errorEvent,
  eventualResponse,
  immediate,
  ProtocolError,
  streamChunk,
  streamToken,
  writeConfirmationRequired,
  type ActionOf,
  type ServerEvent,
} from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { TurnCancelled } from '../turn-slot.js';
import { requireSession } from './sessions.js';

const TOOL_RESULT_PREVIEW_CHARS = 500;

export const LLM_UNAVAILABLE_MESSAGE =
  'No LLM gateway key is available for this turn (SMOOAI_GATEWAY_KEY is unset) and SMOOTH_AGENT_REQUIRE_LLM=1 forbids ' +
  'knowledge-base-only answers. Configure the gateway key to enable send_message.';

function toWire(requestId: string, event: TurnEvent): ServerEvent | undefined {
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
      return writeConfirmationRequired(requestId, event.toolName, now);
  }
}

export async function sendMessage(connection: Connection, action: ActionOf<'send_message'>, requestId: string | undefined): Promise<void> {
  const turnRequestId = action.requestId;
  const session = await requireSession(connection, action.sessionId);
  if (connection.activeTurn) {
    throw new ProtocolError(
      'TURN_IN_PROGRESS',
      `a turn is already in progress on this connection (requestId '${connection.activeTurn.requestId}'); wait for it or send cancel`,
    );
  }
  if (connection.draining) throw new ProtocolError('SHUTTING_DOWN', 'the server is shutting down; reconnect and retry');
  const { app } = connection;
  const apiKey = app.config.gateway.apiKey;
  if (!apiKey && app.config.requireLlm) throw new ProtocolError('LLM_UNAVAILABLE', LLM_UNAVAILABLE_MESSAGE);

  const controller = new AbortController();
  const slot = { requestId: turnRequestId, controller };
  connection.activeTurn = slot;
  connection.send(immediate(requestId, 202, 'Processing your request...', {}, Date.now()));

  const access = { ...connection.identity.access, organizationId: session.organizationId };
  const turn = app.turns
    .run({
      session,
      requestId: turnRequestId,
      message: action.message,
      ...(action.model !== undefined ? { model: action.model } : {}),
      apiKey,
      access,
      signal: controller.signal,
      emit: (event) => {
        if (controller.signal.aborted) return;
        const wire = toWire(turnRequestId, event);
        if (wire) connection.send(wire);
      },
    })
    .then(
      (outcome) => {
        if (controller.signal.aborted) return;
        connection.send(
          eventualResponse(
            { requestId: turnRequestId, messageId: outcome.messageId, reply: outcome.reply, citations: outcome.citations, usage: outcome.usage },
            Date.now(),
          ),
        );
      },
      (err: unknown) => {
        // A cancelled turn already said `cancelled` (or its client is gone): nothing more to send.
        if (controller.signal.aborted || err instanceof TurnCancelled) return;
        app.logger.warn({ conn: connection.id, err: (err as Error).message }, 'turn failed');
        connection.send(
          errorEvent(turnRequestId, { code: 'AGENT_ERROR', message: `agent turn failed: ${(err as Error).message ?? String(err)}` }, Date.now()),
        );
      },
    )
    .finally(() => {
      if (connection.activeTurn === slot) connection.activeTurn = undefined;
    });
  connection.tracker.track(turn, controller);
}
