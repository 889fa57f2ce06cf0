import { ProtocolError } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';

/**
 * A session is visible to its owner only: the same organization and, for a session created by an
 * authenticated principal, the same user. Anyone else is told it does not exist.
 */
export function canUse(session: Session, connection: Connection): boolean {
  const access = connection.identity.access;
  if (session.owner.organizationId !== access.organizationId) return false;
  if (session.owner.userId === undefined) return true;
  return connection.identity.authenticated && session.owner.userId === access.userId;
}

export async function requireSession(connection: Connection, sessionId: string): Promise<Session> {
  let session: Session | undefined;
  try {
    session = await connection.app.storage.getSession(sessionId);
  } catch (err) {
    connection.app.logger.error({ err }, 'storage failure loading a session');
    throw new ProtocolError('STORAGE_ERROR', 'failed to load the session');
  }
  if (!session || !canUse(session, connection)) {
    throw new ProtocolError('SESSION_NOT_FOUND', `session '${sessionId}' not found`);
  }
  return session;
}
