import { widgetAdmits } from '../../auth/widget-enforce.js';
import { ProtocolError } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';

/**
 * A session is visible to its owner only: the same organization and, for a session created by an
 * authenticated principal, the same user. Anyone else is told it does not exist.
 * `orgAdmitted` lets a caller that established the organization another way (a widget context) say so.
 */
export function canUse(
  session: Session,
  connection: Connection,
  orgAdmitted = session.owner.organizationId === connection.identity.access.organizationId,
): boolean {
  const access = connection.identity.access;
  if (!orgAdmitted) return false;
  if (session.owner.userId === undefined) return true;
  return connection.identity.authenticated && session.owner.userId === access.userId;
}

/**
 * canUse, plus the widget rule: a session created through an agent whose policy assigns it an
 * organization belongs to that organization, not to the visitor's. The visitor is admitted to it
 * while the same policy context holds — the agent's policy still names the session's organization
 * and this connection's Origin is still allowed (widgetAdmits). The user check applies unchanged:
 * a session owned by a signed-in user stays that user's.
 */
async function mayUse(session: Session, connection: Connection): Promise<boolean> {
  if (canUse(session, connection)) return true;
  if (!canUse(session, connection, true)) return false;
  return widgetAdmits(connection.app.widgetPolicies, { agentId: session.agentId, organizationId: session.owner.organizationId }, connection.origin);
}

export async function requireSession(connection: Connection, sessionId: string): Promise<Session> {
  let session: Session | undefined;
  try {
    session = await connection.app.storage.getSession(sessionId);
  } catch (err) {
    connection.app.logger.error({ err }, 'storage failure loading a session');
    throw new ProtocolError('STORAGE_ERROR', 'failed to load the session');
  }
  if (!session || !(await mayUse(session, connection))) {
    throw new ProtocolError('SESSION_NOT_FOUND', `session '${sessionId}' not found`);
  }
  // A connection that uses a session (e.g. after a reconnect) receives what is published to it.
  connection.app.backplane.associate(connection.id, { type: 'session', id: session.sessionId });
  return session;
}
