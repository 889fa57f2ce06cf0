import type { Principal } from '../auth/index.js';
import type { AccessContext } from '../knowledge/index.js';

/** Who is on the other end of a connection. Anonymous until the auth work verifies tokens at upgrade. */
export interface ConnectionIdentity {
  readonly access: AccessContext;
  readonly authenticated: boolean;
  /** The verified token's principal, when there was one (operator consoles need its role and name). */
  readonly principal?: Principal;
}

export function anonymousIdentity(organizationId: string): ConnectionIdentity {
  return { access: Object.freeze({ organizationId, groups: [] }), authenticated: false };
}

export function principalIdentity(principal: Principal): ConnectionIdentity {
  return {
    access: Object.freeze({ organizationId: principal.organizationId, userId: principal.userId, groups: Object.freeze([...principal.groups]) }),
    authenticated: true,
    principal,
  };
}
