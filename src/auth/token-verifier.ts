import type { Principal } from './principal.js';

/** Turns a bearer or `?token=` value into a principal, or throws AuthError. */
export interface TokenVerifier {
  readonly mode: 'disabled' | 'none' | 'jwt' | 'local-token';
  verify(token: string): Promise<Principal>;
}
