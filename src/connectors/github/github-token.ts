import type { SecretResolver } from '../secrets.js';
import { SourceSetupError } from '../source.js';
import type { GithubConnectorConfig } from '../types.js';

/**
 * The token named by `auth_ref`, read now. A named but unset variable is refused rather than
 * ignored (the operator meant to authenticate), and so is a private repository with no name at all.
 */
export function githubToken(config: GithubConnectorConfig, secrets: SecretResolver): string | undefined {
  if (config.auth_ref === undefined) {
    if (config.visibility === 'private') throw new SourceSetupError('auth_ref', "a private repository needs auth_ref: the name of an environment variable holding a GitHub token");
    return undefined;
  }
  const token = secrets(config.auth_ref)?.trim();
  if (!token) throw new SourceSetupError('auth_ref', `auth_ref '${config.auth_ref}' does not resolve: the environment variable is not set on the server`);
  return token;
}
