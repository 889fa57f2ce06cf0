/** Looks a secret up by name (the `auth_ref` of a connector); undefined or empty when it isn't set. */
export type SecretResolver = (name: string) => string | undefined;

/**
 * Reads the process environment at call time, not at boot: the reference resolves `auth_ref` per
 * run, and a host embedding the server can replace this with its own secret manager
 * (`AppDeps.secrets`). The one deliberate exception to "only load-config reads process.env".
 */
export const environmentSecrets: SecretResolver = (name) => process.env[name];
