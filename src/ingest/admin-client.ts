import type { LoadedDocument } from './types.js';

/** Why the admin API refused a request. `fatal` means no later request can succeed either. */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

export interface StoredSummary {
  id: string;
  chunks: number;
}

function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.message !== 'string') return undefined;
  return typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
}

/** The one call the CLI makes: `POST /admin/knowledge/documents` with the admin bearer token. */
export class AdminClient {
  private readonly endpoint: URL;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 120_000,
  ) {
    this.endpoint = new URL('admin/knowledge/documents', server.endsWith('/') ? server : `${server}/`);
  }

  async upsert(documents: readonly LoadedDocument[]): Promise<StoredSummary[]> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ documents }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // fetch() says only "fetch failed"; the cause says why (ECONNREFUSED, a bad port, DNS).
      const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
      const detail = [cause?.code, cause?.message, (err as Error).message].find((d): d is string => typeof d === 'string' && d !== '');
      throw new AdminApiError(`cannot reach ${this.endpoint.origin}: ${detail ?? 'unknown error'}`, undefined, true);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 201) {
      const stored = (body as { documents?: Array<{ id?: unknown; chunks?: unknown }> } | undefined)?.documents ?? [];
      return stored.map((d) => ({ id: String(d.id), chunks: typeof d.chunks === 'number' ? d.chunks : 0 }));
    }
    const reason = `HTTP ${response.status}${errorMessage(body) ? ` ${errorMessage(body)}` : ''}`;
    // Bad credentials, a missing route or a wrong server won't get better for the next batch.
    const fatal = response.status === 401 || response.status === 403 || response.status === 404 || response.status === 405;
    throw new AdminApiError(reason, response.status, fatal);
  }
}
