import { pageKey } from './urls.js';

export interface FetchedPage {
  /** Where the content came from after redirects, without fragment. */
  url: string;
  /** Lower-case media type without parameters, e.g. `text/html`. */
  mediaType: string;
  charset?: string;
  bytes: Uint8Array;
}

export interface FetchOptions {
  /** Refuse redirects that leave this origin. */
  sameOriginAs?: string;
  timeoutMs?: number;
  maxBytes?: number;
  /** How to GET one hop (redirects are followed here); connectors pass one that refuses private addresses. */
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const USER_AGENT = 'smooth-operator-ingest';

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`response is larger than ${maxBytes} bytes`);
  if (!response.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of response.body) {
    size += part.byteLength;
    if (size > maxBytes) throw new Error(`response is larger than ${maxBytes} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/**
 * GET a page, following redirects by hand so that, when asked, a redirect to another origin is
 * refused before anything is requested there.
 */
export async function fetchPage(url: string, options: FetchOptions = {}): Promise<FetchedPage> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const response = await (options.fetch ?? fetch)(current, {
      redirect: 'manual',
      signal,
      headers: { 'user-agent': USER_AGENT, accept: 'text/html, text/plain;q=0.9, */*;q=0.5' },
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, current);
      if (options.sameOriginAs !== undefined && next.origin !== options.sameOriginAs) {
        throw new Error(`redirects to another origin (${next.origin})`);
      }
      current = next;
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const [type = '', ...params] = (response.headers.get('content-type') ?? '').split(';');
    const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)/i.exec(p)?.[1]).find((c) => c !== undefined);
    const bytes = await readCapped(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
    return { url: pageKey(current), mediaType: type.trim().toLowerCase(), ...(charset ? { charset } : {}), bytes };
  }
}
