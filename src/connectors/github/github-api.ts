import type { z } from 'zod';

const TIMEOUT_MS = 30_000;

export class GithubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GithubApiError';
  }
}

export interface GithubApiOptions {
  /** REST base, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

function nextLink(header: string | null): string | undefined {
  for (const part of header?.split(',') ?? []) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** A few GET calls against the GitHub REST API, each response checked against a schema. */
export class GithubApi {
  private readonly base: URL;
  private readonly token: string | undefined;
  private readonly fetch: typeof fetch;

  constructor(options: GithubApiOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    this.token = options.token;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async get<T>(path: string, schema: z.ZodType<T>, query: Record<string, string> = {}): Promise<T> {
    const url = this.url(path, query);
    return (await this.request(url, schema)).body;
  }

  /** Every page of a list endpoint, following `Link: rel="next"`. */
  async *pages<T>(path: string, schema: z.ZodType<T[]>, query: Record<string, string> = {}): AsyncGenerator<T[]> {
    let url: URL | undefined = this.url(path, { per_page: '100', ...query });
    while (url) {
      const page: { body: T[]; next: string | undefined } = await this.request(url, schema);
      yield page.body;
      const next = page.next;
      // The token goes only where the configured API lives, whatever a Link header says.
      url = next !== undefined && URL.canParse(next) && new URL(next).origin === this.base.origin ? new URL(next) : undefined;
    }
  }

  private url(path: string, query: Record<string, string>): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  private async request<T>(url: URL, schema: z.ZodType<T>): Promise<{ body: T; next: string | undefined }> {
    const where = url.pathname + url.search;
    const response = await this.fetch(url, {
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'smooth-operator',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const detail = typeof json === 'object' && json !== null && 'message' in json ? `: ${String(json.message)}` : '';
      const hint = response.status === 404 && !this.token ? ' (a private repository needs visibility "private" and auth_ref)' : '';
      throw new GithubApiError(response.status, `GitHub API ${response.status} on ${where}${detail}${hint}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new GithubApiError(response.status, `GitHub API returned an unexpected body for ${where}`);
    return { body: parsed.data, next: nextLink(response.headers.get('link')) };
  }
}
