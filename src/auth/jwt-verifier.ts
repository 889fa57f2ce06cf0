import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { AuthError, type Principal, type Role } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

export interface JwtSettings {
  hs256Secret?: string;
  rs256PublicKey?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  clockToleranceSec: number;
  /** Minimum time between JWKS refetches, so a flood of unknown kids cannot hammer the key server. */
  jwksCooldownMs?: number;
}

// A Map, not an object literal: a claim such as "constructor" or "__proto__" must find nothing.
const ROLES: ReadonlyMap<string, Role> = new Map([
  ['admin', 'admin'],
  ['curator', 'curator'],
  ['basic', 'basic'],
  ['user', 'basic'],
]);

function claimsToPrincipal(payload: JWTPayload): Principal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new AuthError('INVALID_TOKEN', "invalid token: missing 'sub' claim");
  if (typeof payload.exp !== 'number') throw new AuthError('INVALID_TOKEN', "invalid token: missing 'exp' claim");
  const org = typeof payload.org === 'string' && payload.org !== '' ? payload.org : payload.org_id;
  if (typeof org !== 'string' || org === '') throw new AuthError('INVALID_TOKEN', "invalid token: missing 'org' claim");
  const role = typeof payload.role === 'string' ? ROLES.get(payload.role.toLowerCase()) : undefined;
  if (!role) throw new AuthError('MISSING_ROLE', "token has no recognised 'role' claim (admin, curator, basic or user)");
  const groups = Array.isArray(payload.groups) ? payload.groups.filter((g): g is string => typeof g === 'string') : [];
  return {
    userId: sub,
    organizationId: org,
    role,
    groups,
    ...(typeof payload.name === 'string' ? { displayName: payload.name } : {}),
    ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
  };
}

/** JWT verification with jose: HS256 secret, RS256 PEM, or a JWKS URL (cached, refetched on an unknown kid). */
export class JwtVerifier implements TokenVerifier {
  readonly mode = 'jwt' as const;
  /** Resolves once the key material is imported; jose's overloads differ per key kind, so each is bound here. */
  private readonly verifier: Promise<{ check: (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>; algorithms: string[] }>;

  constructor(
    private readonly settings: JwtSettings,
    fetchJwks?: (url: URL) => JWTVerifyGetKey,
  ) {
    this.verifier = (async () => {
      if (settings.rs256PublicKey) {
        const key = await importSPKI(settings.rs256PublicKey, 'RS256');
        return { check: async (t: string, o: JWTVerifyOptions) => (await jwtVerify(t, key, o)).payload, algorithms: ['RS256'] };
      }
      if (settings.hs256Secret) {
        const key = new TextEncoder().encode(settings.hs256Secret);
        return { check: async (t: string, o: JWTVerifyOptions) => (await jwtVerify(t, key, o)).payload, algorithms: ['HS256'] };
      }
      if (settings.jwksUrl) {
        const url = new URL(settings.jwksUrl);
        // jose caches the key set and refetches it when a token names a kid it has not seen (key rotation).
        const keys = fetchJwks ? fetchJwks(url) : createRemoteJWKSet(url, { cooldownDuration: settings.jwksCooldownMs ?? 30_000, cacheMaxAge: 300_000, timeoutDuration: 5_000 });
        return { check: async (t: string, o: JWTVerifyOptions) => (await jwtVerify(t, keys, o)).payload, algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'] };
      }
      throw new Error('JwtVerifier needs a key: hs256Secret, rs256PublicKey or jwksUrl');
    })();
  }

  async verify(token: string): Promise<Principal> {
    if (token === '') throw new AuthError('UNAUTHENTICATED', 'missing bearer token');
    const { check, algorithms } = await this.verifier;
    let payload: JWTPayload;
    try {
      const options = {
        algorithms,
        clockTolerance: this.settings.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
        ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        ...(this.settings.audience ? { audience: this.settings.audience } : {}),
      };
      payload = await check(token, options);
    } catch (err) {
      throw new AuthError('INVALID_TOKEN', `invalid token: ${describe(err)}`);
    }
    return claimsToPrincipal(payload);
  }
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim '${err.claim}' ${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no matching key';
  if (err instanceof errors.JOSEError) return err.code;
  return 'malformed';
}

