import { widgetAdmits } from '../../auth/widget-enforce.js';
import type { AccessContext } from '../../knowledge/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { Session, SessionOwner } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import type { ConnectionIdentity } from '../principal.js';

/** Set in `Session.metadata` when a widget policy assigned the session's organization. */
export const WIDGET_ASSIGNED = 'widgetAssignedOrganization';

/**
 * The owner a new session records. An identity applies only inside its own organization: a caller
 * signed in to the session's organization owns it as `{organization, user}`; anyone else — anonymous,
 * or carrying a token of another organization into a widget that assigns this one — is a visitor, and
 * the session id alone is the visitor's key. One organization's user id or groups never travel with
 * the visitor into another organization's data.
 */
export function ownerFor(identity: ConnectionIdentity, organizationId: string): SessionOwner {
  const { access } = identity;
  if (identity.authenticated && access.userId !== undefined && access.organizationId === organizationId) {
    return { organizationId, userId: access.userId };
  }
  return { organizationId };
}

/**
 * What a turn of this session may read, derived from the owner record (never from the connection
 * alone): the owner's user and groups for an owned session (only its owner reaches one, see
 * mayUse), nobody's for a visitor session.
 */
export function accessFor(session: Session, connection: Connection): AccessContext {
  const { owner } = session;
  if (owner.userId === undefined) return Object.freeze({ organizationId: owner.organizationId, groups: Object.freeze([]) });
  return Object.freeze({ organizationId: owner.organizationId, userId: owner.userId, groups: connection.identity.access.groups });
}

function isOwner(owner: SessionOwner, identity: ConnectionIdentity): boolean {
  return identity.authenticated && identity.access.organizationId === owner.organizationId && identity.access.userId === owner.userId;
}

/**
 * Who may use a session over /ws:
 * - an owned session: only its owner, the same organization AND the same user;
 * - a visitor session: whoever holds its id (the capability), except a principal signed in to the
 *   session's own organization — staff and members act as themselves, never as one of their
 *   organization's visitors (they read visitor conversations through the admin API instead). A
 *   session a widget policy placed in its organization additionally needs that policy context to
 *   still hold: the policy still assigns the organization and this connection's Origin is allowed.
 */
async function mayUse(session: Session, connection: Connection): Promise<boolean> {
  const { owner } = session;
  const identity = connection.identity;
  if (owner.userId !== undefined) return isOwner(owner, identity);
  if (identity.authenticated && identity.access.organizationId === owner.organizationId) return false;
  // Visitor sessions outside the anonymous org can only have come from a widget policy (also those
  // recorded before the flag existed): they need the policy context, failing closed.
  const placedByWidget = session.metadata[WIDGET_ASSIGNED] === true || owner.organizationId !== connection.app.config.defaultOrgId;
  if (!placedByWidget) return true;
  return widgetAdmits(connection.app.widgetPolicies, { agentId: session.agentId, organizationId: owner.organizationId }, connection.origin);
}

/** The session, when this connection may use it; `undefined` for a missing one and for one that is not its. */
export async function findUsableSession(connection: Connection, sessionId: string): Promise<Session | undefined> {
  let session: Session | undefined;
  try {
    session = await connection.app.storage.getSession(sessionId);
  } catch (err) {
    connection.app.logger.error({ err }, 'storage failure loading a session');
    throw new ProtocolError('STORAGE_ERROR', 'failed to load the session');
  }
  if (!session || !(await mayUse(session, connection))) return undefined;
  bindSession(connection, session);
  return session;
}

export async function requireSession(connection: Connection, sessionId: string): Promise<Session> {
  const session = await findUsableSession(connection, sessionId);
  // "Not found" for both: another owner's session does not exist as far as this caller can tell.
  if (!session) throw new ProtocolError('SESSION_NOT_FOUND', `session '${sessionId}' not found`);
  return session;
}

/** Org-scoped address of one socket, so `/admin/publish` to a connection reaches it only from its orgs. */
export function orgConnectionTarget(organizationId: string, connectionId: string): { type: 'connection'; id: string } {
  return { type: 'connection', id: `${organizationId}\u0001${connectionId}` };
}

/** A connection that uses a session (e.g. after a reconnect) receives what is published to it. */
export function bindSession(connection: Connection, session: Session): void {
  connection.app.backplane.associate(connection.id, { type: 'session', id: session.sessionId });
  connection.app.backplane.associate(connection.id, orgConnectionTarget(session.organizationId, connection.id));
}
