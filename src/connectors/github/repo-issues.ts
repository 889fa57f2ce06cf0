import { z } from 'zod';
import { placeDocument } from '../placement.js';
import type { PullItem } from '../source.js';
import { issue, type Issue } from './github-schemas.js';
import type { RepoContext } from './repo-context.js';

function issueItem(context: RepoContext, found: Issue): PullItem {
  const body = found.body?.trim() ?? '';
  const document = {
    id: found.html_url,
    source: found.html_url,
    url: found.html_url,
    title: `${found.title} (#${found.number})`,
    content: body === '' ? found.title : `# ${found.title}\n\n${body}`,
    metadata: { issue: String(found.number), state: found.state },
  };
  return { kind: 'document', document: placeDocument(document, context.placement) };
}

/**
 * Issues updated at or after `since` (all when undefined), oldest update first; pull requests,
 * which the issues endpoint also lists, are left out. Returns the newest `updated_at` seen, the next
 * `since`: GitHub's `since` is inclusive, so the newest issue comes back once more and is found
 * unchanged by the store.
 */
export async function* repoIssues(context: RepoContext, since: string | undefined): AsyncGenerator<PullItem, string | undefined> {
  let newest = since;
  const query = { state: 'all', sort: 'updated', direction: 'asc', ...(since !== undefined ? { since } : {}) };
  for await (const page of context.api.pages(`${context.apiPath}/issues`, z.array(issue), query)) {
    for (const found of page) {
      if (found.pull_request !== undefined && found.pull_request !== null) continue;
      if (newest === undefined || found.updated_at > newest) newest = found.updated_at;
      yield issueItem(context, found);
    }
  }
  return newest;
}
