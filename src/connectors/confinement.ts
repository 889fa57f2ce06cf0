/**
 * What connectors may reach on this server, chosen once from configuration. On a server shared by
 * several organizations, an organization's admin configures connectors; without these limits a
 * connector would read the host's files and the host's network on their behalf.
 */
export interface ConnectorConfinement {
  /**
   * Directories file connectors may read (compared as real paths, after symlinks), or why file
   * connectors are refused altogether.
   */
  readonly fileRoots: readonly string[] | { readonly refused: string };
  /** Let web connectors reach loopback, private, link-local and metadata addresses. */
  readonly allowPrivateAddresses: boolean;
}

export const FILE_ROOTS_VARIABLE = 'SMOOTH_AGENT_FILE_CONNECTOR_ROOTS';

/** The confinement configuration implies: without roots, jwt servers (multi-tenant) refuse file connectors. */
export function connectorConfinement(options: {
  fileConnectorRoots: readonly string[] | undefined;
  authMode: string;
  connectorsAllowPrivate: boolean;
  cwd: string;
}): ConnectorConfinement {
  const fileRoots =
    options.fileConnectorRoots ??
    (options.authMode === 'jwt'
      ? { refused: `file connectors are disabled on this server: set ${FILE_ROOTS_VARIABLE} to the directories they may read` }
      : [options.cwd]);
  return { fileRoots, allowPrivateAddresses: options.connectorsAllowPrivate };
}
