import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startToolServer } from './tool-server.js';

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  updated_at: string;
  /** Present on pull requests, which GitHub's issues endpoint also lists. */
  pull_request?: { url: string };
}

interface Commit {
  sha: string;
  files: Map<string, Buffer>;
}

interface Repo {
  private: boolean;
  token?: string;
  commits: Commit[];
  issues: FakeIssue[];
}

export interface FakeGithub {
  url: string;
  /** Every request: path with query, and the authorization header it carried. */
  calls: Array<{ path: string; authorization: string | undefined }>;
  addRepo(fullName: string, options: { private?: boolean; token?: string; files: Record<string, string | Buffer>; issues?: FakeIssue[] }): void;
  /** A new commit on the default branch: a string or Buffer writes a file, null removes it. */
  push(fullName: string, changes: Record<string, string | Buffer | null>): string;
  issues(fullName: string): FakeIssue[];
  close(): Promise<void>;
}

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');
/** Small pages, so tests exercise Link-header pagination without hundreds of issues. */
const ISSUES_PER_PAGE = 2;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A loopback stand-in for the parts of the GitHub REST API the github connector calls. */
export async function startFakeGithub(): Promise<FakeGithub> {
  const repos = new Map<string, Repo>();
  const blobs = new Map<string, Buffer>();
  const calls: FakeGithub['calls'] = [];
  let base = '';

  const commitOf = (previous: Map<string, Buffer>, changes: Record<string, string | Buffer | null>): Commit => {
    const files = new Map(previous);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else {
        const bytes = Buffer.from(content);
        files.set(path, bytes);
        blobs.set(sha1(bytes), bytes);
      }
    }
    const sha = sha1([...files].map(([p, b]) => `${p}:${sha1(b)}`).join('\n') + Math.random());
    return { sha, files };
  };

  const handle = (path: string, _body: unknown, res: ServerResponse, req: IncomingMessage) => {
    calls.push({ path, authorization: req.headers.authorization });
    const url = new URL(path, 'http://fake');
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const repo = match ? repos.get(`${match[1]}/${match[2]}`) : undefined;
    if (!match || !repo || (repo.private && req.headers.authorization !== `Bearer ${repo.token}`)) {
      return json(res, 404, { message: 'Not Found' });
    }
    const [, owner, name, rest = ''] = match;
    const head = repo.commits.at(-1)!;
    const byRef = (ref: string) => repo.commits.find((c) => c.sha === ref) ?? (ref === 'main' ? head : undefined);
    if (rest === '') return json(res, 200, { html_url: `https://github.example/${owner}/${name}`, default_branch: 'main', private: repo.private });
    let m: RegExpExecArray | null;
    if ((m = /^\/commits\/(.+)$/.exec(rest))) {
      const commit = byRef(decodeURIComponent(m[1]!));
      return commit ? json(res, 200, { sha: commit.sha }) : json(res, 422, { message: 'No commit found' });
    }
    if ((m = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      const commit = byRef(m[1]!);
      if (!commit) return json(res, 404, { message: 'Not Found' });
      const tree = [...commit.files].map(([p, b]) => ({ path: p, type: 'blob', sha: sha1(b), size: b.length }));
      return json(res, 200, { sha: commit.sha, truncated: false, tree: [{ path: 'docs', type: 'tree', sha: 'd'.repeat(40) }, ...tree] });
    }
    if ((m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(rest))) {
      const bytes = blobs.get(m[1]!);
      return bytes ? json(res, 200, { sha: m[1], size: bytes.length, encoding: 'base64', content: bytes.toString('base64') }) : json(res, 404, { message: 'Not Found' });
    }
    if ((m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const from = byRef(m[1]!);
      const to = byRef(m[2]!);
      if (!from || !to) return json(res, 404, { message: 'Not Found' });
      const files = [];
      for (const [p, b] of to.files) {
        const old = from.files.get(p);
        if (!old) files.push({ filename: p, status: 'added', sha: sha1(b) });
        else if (!old.equals(b)) files.push({ filename: p, status: 'modified', sha: sha1(b) });
      }
      for (const p of from.files.keys()) if (!to.files.has(p)) files.push({ filename: p, status: 'removed', sha: null });
      return json(res, 200, { status: from === to ? 'identical' : 'ahead', files });
    }
    if (rest === '/issues') {
      const since = url.searchParams.get('since');
      const page = Number(url.searchParams.get('page') ?? '1');
      const matching = repo.issues.filter((i) => since === null || i.updated_at >= since).sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
      const slice = matching.slice((page - 1) * ISSUES_PER_PAGE, page * ISSUES_PER_PAGE);
      const next = new URL(`${base}${url.pathname}${url.search}`);
      next.searchParams.set('page', String(page + 1));
      const link: Record<string, string> = page * ISSUES_PER_PAGE < matching.length ? { link: `<${next.href}>; rel="next"` } : {};
      const withUrls = slice.map((i) => ({ ...i, html_url: `https://github.example/${owner}/${name}/${i.pull_request ? 'pull' : 'issues'}/${i.number}` }));
      return json(res, 200, withUrls, link);
    }
    return json(res, 404, { message: 'Not Found' });
  };

  const server = await startToolServer(handle);
  base = server.url;
  return {
    url: server.url,
    calls,
    addRepo(fullName, options) {
      repos.set(fullName, {
        private: options.private ?? false,
        ...(options.token ? { token: options.token } : {}),
        commits: [commitOf(new Map(), options.files)],
        issues: options.issues ?? [],
      });
    },
    push(fullName, changes) {
      const repo = repos.get(fullName)!;
      const commit = commitOf(repo.commits.at(-1)!.files, changes);
      repo.commits.push(commit);
      return commit.sha;
    },
    issues: (fullName) => repos.get(fullName)!.issues,
    close: server.close,
  };
}
