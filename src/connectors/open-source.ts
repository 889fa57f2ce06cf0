import type { ConnectorConfinement } from './confinement.js';
import { fileSource } from './file/file-source.js';
import { githubSource } from './github/github-source.js';
import type { SecretResolver } from './secrets.js';
import type { Source } from './source.js';
import type { Connector } from './types.js';
import { webSource } from './web/web-source.js';

/** What sources may reach beyond their own configuration. */
export interface SourceEnvironment {
  githubApiUrl: string;
  secrets: SecretResolver;
  /** For the GitHub API; the web crawler uses the global fetch, like `smooth-operator ingest`. */
  fetch?: typeof fetch;
  now: () => Date;
  /** Which files and addresses file and web connectors may reach. */
  confinement: ConnectorConfinement;
}

/** The source behind a connector. Throws `SourceSetupError` when it can't run as configured (e.g. an unset token). */
export function openSource(connector: Connector, environment: SourceEnvironment): Source {
  switch (connector.kind) {
    case 'file':
      return fileSource(connector.name, connector.config, environment.confinement);
    case 'web':
      return webSource(connector.name, connector.config, environment.now, environment.confinement);
    case 'github':
      return githubSource(connector.name, connector.config, {
        apiUrl: environment.githubApiUrl,
        secrets: environment.secrets,
        ...(environment.fetch ? { fetch: environment.fetch } : {}),
      });
  }
}
