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
import { redactKey } from '../../llm/key-resolver.js';
import { requireSession } from './sessions.js';

const TOOL_RESULT_PREVIEW_CHARS = 500;

export const LLM_UNAVAILABLE_MESSAGE =
  'No LLM gateway key is available for this turn (SMOOAI_GATEWAY_KEY is unset and no per-org key resolved) and SMOOTH_AGENT_REQUIRE_LLM=1 forbids ' +
  'knowledge-base-only answers. Configure the gateway key to enable send_message.';

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
      return writeConfirmationRequired(requestId, event.toolName, now);
  }
}

/** The session organization's gateway key. A resolver that fails is a refused turn, not a silent downgrade. */
export async function gatewayKeyFor(connection: Connection, organizationId: string): Promise<string | undefined> {
  try {
    return await connection.app.gatewayKeys.resolve(organizationId);
  } catch (err) {
    connection.app.logger.error({ conn: connection.id, organizationId, err: (err as Error).name }, 'gateway key resolver failed');
    throw new ProtocolError('LLM_UNAVAILABLE', 'the LLM gateway key for this organization could not be resolved; try again later');
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
  const apiKey = await gatewayKeyFor(connection, session.organizationId);
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
        // An upstream error may quote the key it was given; neither the log nor the client sees it.
        const reason = redactKey((err as Error).message ?? String(err), apiKey);
        app.logger.warn({ conn: connection.id, err: reason }, 'turn failed');
        connection.send(
          errorEvent(turnRequestId, { code: 'AGENT_ERROR', message: `agent turn failed: ${reason}` }, Date.now()),
        );
      },
    )
    .finally(() => {
      if (connection.activeTurn === slot) connection.activeTurn = undefined;
    });
  connection.tracker.track(turn, controller);
}
