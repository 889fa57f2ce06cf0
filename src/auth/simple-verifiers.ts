import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, type Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

/** AUTH_MODE unset with no key material: nothing authenticates, so /admin is closed. */
export class DisabledVerifier implements TokenVerifier {
  readonly mode = 'disabled' as const;
  async verify(): Promise<Principal> {
    throw new AuthError('INVALID_TOKEN', 'invalid token: admin API disabled: set AUTH_MODE=jwt with a key, or AUTH_MODE=none for local development');
  }
}

/** AUTH_MODE=none: any non-empty token is a dev admin. For local development only. */
export class NoneVerifier implements TokenVerifier {
  readonly mode = 'none' as const;
  constructor(private readonly organizationId: string) {}
  async verify(token: string): Promise<Principal> {
    if (token === '') throw new AuthError('UNAUTHENTICATED', 'missing bearer token');
    return { userId: 'dev-admin', organizationId: this.organizationId, role: 'admin', groups: [], displayName: 'Dev Admin (AUTH_MODE=none)' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** AUTH_MODE=local-token: one shared secret, compared in constant time. */
export class LocalTokenVerifier implements TokenVerifier {
  readonly mode = 'local-token' as const;
  private readonly expected: Buffer;
  constructor(
    secret: string,
    private readonly organizationId: string,
  ) {
    // Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
    this.expected = digest(secret);
  }
  async verify(token: string): Promise<Principal> {
    if (token === '') throw new AuthError('UNAUTHENTICATED', 'missing bearer token');
    if (!timingSafeEqual(digest(token), this.expected)) throw new AuthError('INVALID_TOKEN', 'invalid token: not the local token');
    return { userId: 'local', organizationId: this.organizationId, role: 'admin', groups: [], displayName: 'Local user' };
  }
}
