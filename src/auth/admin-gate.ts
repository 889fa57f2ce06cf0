import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/index.js';
import { HttpError } from '../server/http-io.js';

export type AdminRole = 'admin' | 'curator' | 'basic';

export interface AdminPrincipal {
  userId: string;
  organizationId: string;
  role: AdminRole;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/**
 * The minimal admin gate until real verifiers exist: with AUTH_MODE unset the admin API is off;
 * with AUTH_MODE=none any bearer is a dev admin (local use only). A bearer is always required.
 */
export function authenticateAdmin(req: IncomingMessage, config: Config): AdminPrincipal {
  if (config.authMode === 'disabled') {
    throw new HttpError(401, 'INVALID_TOKEN', 'invalid token: admin API disabled: set AUTH_MODE=none for local development');
  }
  if (!bearer(req)) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer token');
  return { userId: 'dev-admin', organizationId: config.devOrgId, role: 'admin' };
}
