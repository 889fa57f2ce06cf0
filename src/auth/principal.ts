export type Role = 'admin' | 'curator' | 'basic';

const RANK: Record<Role, number> = { basic: 0, curator: 1, admin: 2 };

/** An authenticated caller, as every verifier produces it. */
export interface Principal {
  userId: string;
  organizationId: string;
  role: Role;
  groups: string[];
  displayName?: string;
  email?: string;
}

export function hasRole(principal: Principal, minimum: Role): boolean {
  return RANK[principal.role] >= RANK[minimum];
}

export type AuthFailureCode = 'UNAUTHENTICATED' | 'INVALID_TOKEN' | 'MISSING_ROLE';

/** A token that was not accepted. The message never contains the token itself. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
