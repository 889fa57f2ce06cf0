import type { DocumentAcl } from '../../knowledge/index.js';
import type { SecretResolver } from '../secrets.js';
import type { Source } from '../source.js';
import type { GithubConnectorConfig } from '../types.js';
import { GithubApi } from './github-api.js';
import { formatGithubCursor, parseGithubCursor } from './github-cursor.js';
import { commit, repository } from './github-schemas.js';
import { githubToken } from './github-token.js';
import { encodePath, type RepoContext } from './repo-context.js';
import { repoFiles } from './repo-files.js';
import { repoIssues } from './repo-issues.js';

export interface GithubSourceOptions {
  apiUrl: string;
  secrets: SecretResolver;
  fetch?: typeof fetch;
}

/** The group a private repository's documents are restricted to; grant it to the people who may read the repo. */
export function repositoryGroup(config: Pick<GithubConnectorConfig, 'owner' | 'repo'>): string {
  return `github:${config.owner}/${config.repo}`;
}

/**
 * A repository's text and code files (≤ 512 KiB) at a branch, plus its issues. Cursor: the commit
 * last indexed, the newest issue update seen and whether the repository was private then. A new
 * commit is compared with the old one and only changed files are read; a repository that turned
 * private (or public) is read in full again, so no document keeps the wrong ACL.
 * Throws `SourceSetupError` at once when the token can't be resolved.
 */
export function githubSource(connectorName: string, config: GithubConnectorConfig, options: GithubSourceOptions): Source {
  const token = githubToken(config, options.secrets);
  const api = new GithubApi({ baseUrl: options.apiUrl, ...(token ? { token } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const apiPath = `/repos/${encodeURIComponent(config.owner)}/${encodeURIComponent(config.repo)}`;
  return {
    async *pull(cursorText) {
      const info = await api.get(apiPath, repository);
      const ref = config.ref ?? info.default_branch;
      const head = (await api.get(`${apiPath}/commits/${encodePath(ref)}`, commit)).sha;
      // Fail closed: either GitHub or the operator saying "private" is enough to restrict.
      const isPrivate = info.private || config.visibility === 'private';
      const previous = parseGithubCursor(cursorText);
      const cursor = previous.private === isPrivate ? previous : {};
      const acl: DocumentAcl | undefined = isPrivate ? { public: false, users: [], groups: [repositoryGroup(config)] } : undefined;
      const context: RepoContext = {
        api,
        apiPath,
        htmlUrl: info.html_url.replace(/\/+$/, ''),
        ref,
        placement: {
          connectorName,
          ...(config.documentSets ? { documentSets: config.documentSets } : {}),
          ...(acl ? { acl } : {}),
          metadata: { repository: `${config.owner}/${config.repo}` },
        },
      };
      if (cursor.commit !== head) yield* repoFiles(context, cursor.commit, head);
      const issuesSince = config.issues === false ? undefined : yield* repoIssues(context, cursor.issuesSince);
      return formatGithubCursor({ commit: head, ...(issuesSince !== undefined ? { issuesSince } : {}), private: isPrivate });
    },
  };
}
