import {
  DECLINED_MESSAGE,
  kindByName,
  payloadResult,
  type IdentityValues,
  type InteractionPayload,
  type PendingInteraction,
} from '../../engine/interactions/index.js';
import { immediate, interactionInvalid, ProtocolError, type ActionOf } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { streamTurn } from '../turn-stream.js';
import { gatewayKeyFor } from './send-message.js';
import { requireSession } from './sessions.js';

function noPending(sessionId: string, why?: string): ProtocolError {
  return new ProtocolError(
    'NO_PENDING_INTERACTION',
    why ? `the interaction for session '${sessionId}' ${why}` : `no interaction is awaiting a response for session '${sessionId}'`,
  );
}

/** The submit must name the parked interaction exactly: its id, its turn's requestId and (if given) its kind. */
function mismatch(action: ActionOf<'submit_interaction'>, pending: PendingInteraction): ProtocolError | undefined {
  if (action.interactionId !== pending.interactionId) {
    return new ProtocolError(
      'INTERACTION_MISMATCH',
      `interaction '${action.interactionId.slice(0, 100)}' is not the one session '${action.sessionId}' is waiting on`,
    );
  }
  if (action.requestId !== pending.requestId) {
    return new ProtocolError('INTERACTION_MISMATCH', `the interaction belongs to request '${pending.requestId}', not '${action.requestId.slice(0, 100)}'`);
  }
  if (action.kind !== undefined && action.kind !== pending.kind) {
    return new ProtocolError('INTERACTION_MISMATCH', `the interaction is of kind '${pending.kind}', not '${action.kind.slice(0, 100)}'`);
  }
  return undefined;
}

/** Identity a visitor submitted becomes the session's contact address (what OTP sends codes to). */
async function rememberContact(connection: Connection, session: Session, pending: PendingInteraction, payload: InteractionPayload): Promise<void> {
  if (pending.kind !== 'identity_intake' || payload.status !== 'submitted') return;
  const values = payload.values as IdentityValues;
  const contact = {
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(values.phone ? { phone: values.phone } : {}),
  };
  if (Object.keys(contact).length === 0) return;
  // A changed address is a new, unproven identity: an earlier verification does not carry over to it.
  const changed = (values.email !== undefined && values.email !== session.contact?.email) || (values.phone !== undefined && values.phone !== session.contact?.phone);
  await connection.app.storage.updateSession(session.sessionId, { contact, ...(changed && session.verified ? { verified: false } : {}) });
  // A code already mailed proves the old address, not this one.
  if (changed) await connection.app.otp?.cancel(session.sessionId);
}

function busy(connection: Connection): ProtocolError | undefined {
  if (connection.draining) return new ProtocolError('SHUTTING_DOWN', 'the server is shutting down; reconnect and submit again');
  if (connection.activeTurn) {
    return new ProtocolError(
      'TURN_IN_PROGRESS',
      `a turn is already in progress on this connection (requestId '${connection.activeTurn.requestId}'); submit from another connection or wait`,
    );
  }
  return undefined;
}

/**
 * submit_interaction: validates the visitor's values against the parked interaction's spec. Invalid
 * values get interaction_invalid and the turn stays parked; valid values (or a decline) resume it —
 * in this process when the turn waits here, otherwise from its checkpoint on this connection.
 */
export async function submitInteraction(connection: Connection, action: ActionOf<'submit_interaction'>, requestId: string | undefined): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  const { interactions, now } = connection.app;
  const pending = await interactions.store.get(session.sessionId);
  if (!pending) throw noPending(action.sessionId);
  const wrong = mismatch(action, pending);
  if (wrong) throw wrong;
  const waiting = interactions.broker.hasWaiter(session.sessionId);
  if (!waiting && (!pending.checkpoint || Date.parse(pending.expiresAt) <= now().getTime())) {
    await interactions.store.take(session.sessionId, pending.interactionId);
    throw noPending(action.sessionId, pending.checkpoint ? 'expired before it was answered' : 'is no longer awaited (its turn ended)');
  }

  let payload: InteractionPayload;
  if (action.declined === true) {
    payload = { status: 'declined', message: DECLINED_MESSAGE };
  } else {
    const kind = kindByName(pending.kind);
    if (!kind) throw noPending(action.sessionId, 'is of a kind this server no longer knows');
    if (action.values === undefined) throw new ProtocolError('VALIDATION_ERROR', "submit_interaction requires 'values' unless 'declined' is true");
    const checked = kind.validate(pending.spec, action.values);
    if (!checked.ok) {
      connection.send(
        interactionInvalid(
          pending.requestId,
          { interactionId: pending.interactionId, kind: pending.kind, errors: checked.errors, message: 'Some answers need another look.' },
          Date.now(),
        ),
      );
      return;
    }
    payload = { status: 'submitted', values: checked.values };
  }

  const refusal = waiting ? undefined : busy(connection);
  if (refusal) throw refusal;
  const apiKey = waiting ? undefined : await gatewayKeyFor(connection, session.organizationId);
  if (!waiting && !apiKey) throw new ProtocolError('LLM_UNAVAILABLE', 'no LLM gateway key is configured, so the parked turn cannot continue');
  // Taking the record is the atomic step: of two concurrent submits, on any processes, only one resumes the turn.
  const taken = await interactions.store.take(session.sessionId, pending.interactionId);
  if (!taken) throw noPending(action.sessionId);
  await rememberContact(connection, session, taken, payload);
  const result = payloadResult(payload);
  // The ack precedes the resumed turn's events on the wire.
  connection.send(
    immediate(
      requestId,
      200,
      payload.status === 'declined' ? 'Interaction declined' : 'Interaction submitted',
      { sessionId: session.sessionId, interactionId: taken.interactionId, status: payload.status },
      Date.now(),
    ),
  );
  if (interactions.broker.resolve(session.sessionId, result)) return;
  const { checkpoint } = taken;
  const key = apiKey ?? (await gatewayKeyFor(connection, session.organizationId));
  if (!checkpoint || !key) return;
  const fresh = (await connection.app.storage.getSession(session.sessionId)) ?? session;
  streamTurn(connection, checkpoint.requestId, key, ({ signal, emit }) =>
    connection.app.turns.resume({
      session: fresh,
      checkpoint,
      approved: true,
      result,
      apiKey: key,
      access: { ...connection.identity.access, organizationId: session.organizationId },
      signal,
      emit,
    }),
  );
}
