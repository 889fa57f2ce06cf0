import type { ConnectorPlacement } from '../placement.js';
import type { GithubApi } from './github-api.js';

/** What the file and issue readers share about the repository being indexed. */
export interface RepoContext {
  api: GithubApi;
  /** `/repos/<owner>/<repo>` on the API. */
  apiPath: string;
  /** The repository's web address, e.g. https://github.com/acme/docs. */
  htmlUrl: string;
  /** The branch or tag the connector follows; part of every file's URL. */
  ref: string;
  placement: ConnectorPlacement;
}

/** Percent-encodes each segment of a path or ref, keeping its slashes (branches like `release/2.0`). */
export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/**
 * A file's id, source and citation link. Built on the followed ref rather than the commit, so the
 * id stays the same from commit to commit and re-indexing replaces the document.
 */
export function blobUrl(context: RepoContext, path: string): string {
  return `${context.htmlUrl}/blob/${encodePath(context.ref)}/${encodePath(path)}`;
}
