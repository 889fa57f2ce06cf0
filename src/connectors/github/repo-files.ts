import { extractMarkdown } from '../../ingest/formats/markdown.js';
import { decodeText } from '../../ingest/formats/text.js';
import { placeDocument } from '../placement.js';
import type { PullItem } from '../source.js';
import { GithubApiError } from './github-api.js';
import { blob, comparison, tree, type ChangedFile } from './github-schemas.js';
import { isIndexablePath, MAX_BLOB_BYTES } from './indexable-path.js';
import { blobUrl, type RepoContext } from './repo-context.js';

/** GitHub lists at most this many files in a comparison; at the cap the list may be incomplete. */
const COMPARE_FILE_LIMIT = 300;

function isMarkdown(path: string): boolean {
  return /\.(?:md|markdown|mdx)$/i.test(path);
}

/** One file as a document, or why it isn't one. */
async function readFile(context: RepoContext, path: string, sha: string): Promise<PullItem> {
  const url = blobUrl(context, path);
  const found = await context.api.get(`${context.apiPath}/git/blobs/${sha}`, blob);
  const bytes = found.encoding === 'base64' ? Buffer.from(found.content, 'base64') : Buffer.from(found.content, 'utf8');
  if (bytes.length > MAX_BLOB_BYTES) return { kind: 'skipped', source: url, reason: `larger than ${MAX_BLOB_BYTES / 1024} KiB` };
  // A NUL byte is the usual tell of a binary file behind a text-looking name.
  if (bytes.includes(0)) return { kind: 'skipped', source: url, reason: 'binary content' };
  const extracted = isMarkdown(path) ? await extractMarkdown(bytes, {}) : { content: decodeText(bytes).trim() };
  if (extracted.content === '') return { kind: 'skipped', source: url, reason: 'no text content' };
  const document = {
    id: url,
    source: url,
    url,
    title: extracted.title ?? path,
    content: extracted.content,
    metadata: { path },
  };
  return { kind: 'document', document: placeDocument(document, context.placement) };
}

/** Every indexable file of the commit. */
async function* allFiles(context: RepoContext, head: string): AsyncGenerator<PullItem> {
  const listing = await context.api.get(`${context.apiPath}/git/trees/${head}`, tree, { recursive: '1' });
  if (listing.truncated) {
    yield { kind: 'skipped', source: context.htmlUrl, reason: 'GitHub truncated the file listing (repository too large); some files were not indexed' };
  }
  for (const entry of listing.tree) {
    if (entry.type !== 'blob' || !isIndexablePath(entry.path)) continue;
    if ((entry.size ?? 0) > MAX_BLOB_BYTES) {
      yield { kind: 'skipped', source: blobUrl(context, entry.path), reason: `larger than ${MAX_BLOB_BYTES / 1024} KiB` };
      continue;
    }
    yield await readFile(context, entry.path, entry.sha);
  }
}

/** The files changed from `base` to `head`, or undefined when only a full listing can tell (force-push, huge diff). */
async function changesSince(context: RepoContext, base: string, head: string): Promise<ChangedFile[] | undefined> {
  let result;
  try {
    result = await context.api.get(`${context.apiPath}/compare/${base}...${head}`, comparison);
  } catch (err) {
    // The old commit is gone (history rewritten): start over rather than fail every run from now on.
    if (err instanceof GithubApiError && err.status === 404) return undefined;
    throw err;
  }
  if (result.status !== 'ahead' || !result.files || result.files.length >= COMPARE_FILE_LIMIT) return undefined;
  return result.files;
}

/**
 * The repository's text and code files that changed since commit `base` (all of them when there is
 * no base or the comparison can't be trusted). Removed and renamed-away files are reported deleted.
 */
export async function* repoFiles(context: RepoContext, base: string | undefined, head: string): AsyncGenerator<PullItem> {
  const changed = base === undefined ? undefined : await changesSince(context, base, head);
  if (!changed) {
    yield* allFiles(context, head);
    return;
  }
  for (const file of changed) {
    if (file.status === 'removed' || file.status === 'renamed') {
      const gone = file.status === 'removed' ? file.filename : file.previous_filename;
      if (gone !== undefined && isIndexablePath(gone)) yield { kind: 'deleted', id: blobUrl(context, gone) };
      if (file.status === 'removed') continue;
    }
    if (file.status === 'unchanged' || !file.sha || !isIndexablePath(file.filename)) continue;
    yield await readFile(context, file.filename, file.sha);
  }
}
