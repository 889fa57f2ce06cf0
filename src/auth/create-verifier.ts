import type { Config } from '../config/index.js';
import { JwtVerifier } from './jwt-verifier.js';
import { DisabledVerifier, LocalTokenVerifier, NoneVerifier } from './simple-verifiers.js';
import type { TokenVerifier } from './token-verifier.js';

/** Chooses the verifier once, from configuration (already validated: jwt has key material). */
export function createVerifier(config: Config): TokenVerifier {
  switch (config.authMode) {
    case 'disabled':
      return new DisabledVerifier();
    case 'none':
      return new NoneVerifier(config.devOrgId);
    case 'local-token':
      return new LocalTokenVerifier(config.localToken ?? '', config.defaultOrgId);
    case 'jwt':
      return new JwtVerifier(config.jwt);
  }
}
