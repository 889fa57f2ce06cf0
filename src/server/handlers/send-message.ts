import { eventualResponse, immediate, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { streamTurn } from '../turn-stream.js';
import { accessFor, requireSession } from './sessions.js';

export const LLM_UNAVAILABLE_MESSAGE =
  'No LLM gateway key is available for this turn (SMOOAI_GATEWAY_KEY is unset and no per-org key resolved) and SMOOTH_AGENT_REQUIRE_LLM=1 forbids ' +
  'knowledge-base-only answers. Configure the gateway key to enable send_message.';

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
  // A person owns the conversation (or was asked for): the AI stays silent, the operator gets the message.
  if (await app.handoff.humanOwns(session.organizationId, session.conversationId)) {
    connection.send(immediate(requestId, 202, 'Processing your request...', {}, Date.now()));
    const stored = await app.handoff.visitorMessage(session, action.message);
    connection.send(
      eventualResponse({ requestId: turnRequestId, messageId: stored.id, reply: '', citations: [], usage: undefined, needsEscalation: true }, Date.now()),
    );
    return;
  }
  const apiKey = await gatewayKeyFor(connection, session.organizationId);
  if (!apiKey && app.config.requireLlm) throw new ProtocolError('LLM_UNAVAILABLE', LLM_UNAVAILABLE_MESSAGE);

  connection.send(immediate(requestId, 202, 'Processing your request...', {}, Date.now()));
  const access = accessFor(session, connection);
  streamTurn(connection, turnRequestId, apiKey, async ({ signal, emit: send }) => {
    // The tool steps, kept with the answer for the operator's transcript.
    const tools: Array<{ name: string; isError: boolean }> = [];
    const emit: typeof send = (event) => {
      if (event.type === 'tool_result') tools.push({ name: event.name, isError: event.isError });
      send(event);
    };
    const outcome = await app.turns.run({
      session,
      requestId: turnRequestId,
      message: action.message,
      ...(action.model !== undefined ? { model: action.model } : {}),
      apiKey,
      access,
      signal,
      emit,
    });
    if (outcome.reply.trim() !== '') await app.handoff.noteTurn(session, outcome.messageId, { citations: outcome.citations, tools });
    // Not short-circuited: a reply that found nothing must still reach escalated(), which asks for a person when configured.
    const handedOn = await escalated(connection, session, outcome.needsEscalation === true);
    return { ...outcome, needsEscalation: handedOn || outcome.needsEscalation === true };
  }, { session, resumed: false });
}

/**
 * Whether the turn handed the conversation on: the model called request_human, or (when configured)
 * the turn found nothing to answer from (the retrieval's needsEscalation) and asks for a person itself.
 */
async function escalated(connection: Connection, session: Session, foundNothing: boolean): Promise<boolean> {
  const { handoff, config } = connection.app;
  if (await handoff.humanOwns(session.organizationId, session.conversationId)) return true;
  if (!(config.handoff.onNoAnswer && foundNothing)) return false;
  await handoff.request(session, 'no_answer', 'the assistant found nothing to answer from');
  return true;
}
