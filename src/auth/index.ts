export type { Principal, Role, AuthFailureCode } from './principal.js';
export { AuthError, hasRole } from './principal.js';
export type { TokenVerifier } from './token-verifier.js';
export { JwtVerifier } from './jwt-verifier.js';
export type { JwtSettings } from './jwt-verifier.js';
export { DisabledVerifier, NoneVerifier, LocalTokenVerifier } from './simple-verifiers.js';
export { createVerifier } from './create-verifier.js';
