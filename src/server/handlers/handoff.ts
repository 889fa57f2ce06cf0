import { hasRole } from '../../auth/index.js';
import { operatorsTarget } from '../../handoff/handoff-service.js';
import { immediate, ProtocolError, type ActionOf, type ServerEvent } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { requireSession } from './sessions.js';

/** The visitor's "Talk to a person": the conversation waits for an operator, the AI stays silent. */
export async function requestHuman(connection: Connection, action: ActionOf<'request_human'>, requestId: string | undefined): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  const outcome = await connection.app.handoff.request(session, 'visitor', action.reason);
  connection.send(
    immediate(
      requestId,
      200,
      'Handoff requested',
      {
        conversationId: session.conversationId,
        state: outcome.view.state,
        available: outcome.available,
        ...(outcome.unavailable ? { unavailableReason: outcome.unavailable } : {}),
      },
      Date.now(),
    ),
  );
}

/**
 * After a visitor resumes a session (a reload, a reconnect): where the conversation stands, when a
 * person is involved, so the widget does not offer "Talk to a person" to someone already with one.
 */
export async function sendHandoffSnapshot(connection: Connection, session: Session): Promise<void> {
  const view = await connection.app.handoff.view(session.organizationId, session.conversationId);
  if (!view || (view.state !== 'waiting' && view.state !== 'human')) return;
  connection.send({
    type: 'handoff_state',
    data: { conversationId: view.conversationId, state: view.state, ...(view.state === 'human' && view.operator ? { operator: { name: view.operator.name } } : {}) },
    timestamp: Date.now(),
  } as unknown as ServerEvent);
}

/** A follow-up address, left when nobody was available. */
export async function leaveContact(connection: Connection, action: ActionOf<'leave_contact'>, requestId: string | undefined): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  await connection.app.handoff.leaveContact(session, action.email);
  connection.send(immediate(requestId, 200, 'Contact saved', { conversationId: session.conversationId }, Date.now()));
}

const HEARTBEAT_MS = 15_000;

/**
 * Consoles open in this process per operator: closing one tab must not mark an operator offline who
 * still has another open (another replica's tab re-asserts presence on its next heartbeat).
 */
const openConsoles = new Map<string, number>();
/** A console that subscribes twice on one socket gets one heartbeat, not two. */
const subscribed = new WeakSet<Connection>();

/**
 * An operator console's live subscription: handoff_update and handoff_message events for the
 * token's organization, and the operator counts as online while the socket is open.
 */
export async function operatorSubscribe(connection: Connection, requestId: string | undefined): Promise<void> {
  const principal = connection.identity.principal;
  if (!principal || !hasRole(principal, 'curator')) {
    throw new ProtocolError('FORBIDDEN', 'operator_subscribe requires a curator or admin token on the connection');
  }
  const { app } = connection;
  const operator = { id: principal.userId, name: principal.displayName ?? principal.userId };
  if (subscribed.has(connection)) {
    connection.send(immediate(requestId, 200, 'Subscribed', { organizationId: principal.organizationId, operator, handoffs: await app.handoff.list(principal.organizationId) }, Date.now()));
    return;
  }
  subscribed.add(connection);
  const beat = () =>
    app.handoff.presence
      .heartbeat({ organizationId: principal.organizationId, operatorId: operator.id, name: operator.name, seenAt: app.now().toISOString() })
      .catch((err: unknown) => app.logger.warn({ err: (err as Error).message }, 'operator presence heartbeat failed'));
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  const key = `${principal.organizationId}\u0000${operator.id}`;
  openConsoles.set(key, (openConsoles.get(key) ?? 0) + 1);
  connection.onClosed(() => {
    clearInterval(timer);
    const left = (openConsoles.get(key) ?? 1) - 1;
    if (left > 0) {
      openConsoles.set(key, left);
      return;
    }
    openConsoles.delete(key);
    void app.handoff.presence.leave(principal.organizationId, operator.id).catch(() => undefined);
  });
  app.backplane.associate(connection.id, operatorsTarget(principal.organizationId));
  connection.send(
    immediate(requestId, 200, 'Subscribed', { organizationId: principal.organizationId, operator, handoffs: await app.handoff.list(principal.organizationId) }, Date.now()),
  );
}
