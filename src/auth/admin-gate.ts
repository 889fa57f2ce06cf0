import type { IncomingMessage } from 'node:http';
import { HttpError } from '../server/http-io.js';
import { AuthError, hasRole, type Principal, type Role } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/** Authenticates an admin request; a bearer token is always required, whatever the mode. */
export async function authenticateAdmin(req: IncomingMessage, verifier: TokenVerifier, minimum: Role = 'basic'): Promise<Principal> {
  const token = bearer(req);
  let principal: Principal;
  try {
    if (verifier.mode === 'disabled') return await verifier.verify('');
    if (!token) throw new AuthError('UNAUTHENTICATED', 'missing bearer token');
    principal = await verifier.verify(token);
  } catch (err) {
    if (err instanceof AuthError) throw new HttpError(401, err.code, err.message);
    throw err;
  }
  if (!hasRole(principal, minimum)) {
    throw new HttpError(403, 'FORBIDDEN', `forbidden: requires ${minimum}, principal is ${principal.role}`);
  }
  return principal;
}
