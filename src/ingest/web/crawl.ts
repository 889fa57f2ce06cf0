import { extname } from 'node:path';
import { toDocument } from '../documents.js';
import { extractorForExtension, extractorForMediaType } from '../formats/index.js';
import { decodeText } from '../formats/text.js';
import { reasonOf } from '../reason.js';
import type { IngestItem } from '../types.js';
import { fetchPage, type FetchedPage } from './fetch-page.js';
import { parseSitemap } from './sitemap.js';
import { looksLikeAsset, pageKey } from './urls.js';

export interface CrawlOptions {
  /** How many links away from a starting page to go; 0 = the starting pages only. */
  depth: number;
  /** Most pages fetched for this starting URL, sitemap pages included. */
  maxPages: number;
  /** How each hop is fetched (connectors: public addresses only). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Hold every hop, the start URL's own redirects included, to the start URL's origin. */
  pinStartOrigin?: boolean;
}

/** A nested sitemap index that never ends must not keep the run going forever. */
const MAX_SITEMAPS = 50;

interface QueuedPage {
  url: string;
  depth: number;
  /** Named by the user or by a sitemap: a problem with it is a failure, not a dead link to pass over. */
  requested: boolean;
}

function isXml(mediaType: string): boolean {
  return mediaType === 'application/xml' || mediaType === 'text/xml';
}

function problem(page: QueuedPage, reason: string): IngestItem {
  return page.requested ? { kind: 'failed', source: page.url, reason } : { kind: 'skipped', source: page.url, reason };
}

/** Page URLs from a sitemap and the sitemap indexes under it, same origin only. */
async function* expandSitemap(
  first: FetchedPage,
  origin: string,
  pages: Set<string>,
  fetchOptions: Pick<CrawlOptions, 'fetch'>,
): AsyncGenerator<IngestItem> {
  const queue: FetchedPage[] = [first];
  const seen = new Set([first.url]);
  let ignored = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const sitemap = parseSitemap(decodeText(next.bytes, next.charset));
    if (!sitemap) {
      yield { kind: 'failed', source: next.url, reason: 'XML that is not a sitemap' };
      continue;
    }
    for (const location of sitemap.locations) {
      let url: URL;
      try {
        url = new URL(location, next.url);
      } catch {
        ignored++;
        continue;
      }
      if (url.origin !== origin) {
        ignored++;
        continue;
      }
      const key = pageKey(url);
      if (sitemap.kind === 'urlset') {
        pages.add(key);
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      if (seen.size > MAX_SITEMAPS) {
        yield { kind: 'note', message: `${first.url}: more than ${MAX_SITEMAPS} sitemaps, the rest are not read` };
        return;
      }
      try {
        queue.push(await fetchPage(key, { sameOriginAs: origin, ...(fetchOptions.fetch ? { fetch: fetchOptions.fetch } : {}) }));
      } catch (err) {
        yield { kind: 'failed', source: key, reason: `sitemap: ${reasonOf(err)}` };
      }
    }
  }
  if (ignored > 0) yield { kind: 'note', message: `${first.url}: ignored ${ignored} sitemap entries on other origins` };
}

async function extractPage(page: QueuedPage, fetched: FetchedPage): Promise<{ item: IngestItem; links: string[] }> {
  // Servers that don't say what they send get judged by the URL's extension, as a file would be.
  const unlabelled = fetched.mediaType === '' || fetched.mediaType === 'application/octet-stream';
  const extract =
    extractorForMediaType(fetched.mediaType) ??
    (unlabelled ? extractorForExtension(extname(new URL(fetched.url).pathname).toLowerCase()) : undefined);
  if (!extract) return { item: problem(page, `not a document (${fetched.mediaType || 'no content type'})`), links: [] };
  try {
    const extracted = await extract(fetched.bytes, { baseUrl: fetched.url, ...(fetched.charset ? { charset: fetched.charset } : {}) });
    const item = toDocument({ id: fetched.url, source: fetched.url, url: fetched.url }, extracted);
    return { item, links: extracted.links ?? [] };
  } catch (err) {
    return { item: problem(page, `could not extract text: ${reasonOf(err)}`), links: [] };
  }
}

/**
 * Documents from one URL: the page itself, or every page a sitemap lists, then same-origin links
 * breadth-first up to `depth`. Other origins are never requested, not even through a redirect.
 */
export async function* crawl(start: string, options: CrawlOptions): AsyncGenerator<IngestItem> {
  let first: FetchedPage;
  try {
    first = await fetchPage(start, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.pinStartOrigin ? { sameOriginAs: new URL(start).origin } : {}),
    });
  } catch (err) {
    yield { kind: 'failed', source: URL.canParse(start) ? pageKey(start) : start, reason: reasonOf(err) };
    return;
  }
  // The origin is taken after redirects, so `http://site` that moved to `https://site` still crawls.
  const origin = new URL(first.url).origin;
  const queue: QueuedPage[] = [];
  const queued = new Set<string>();
  let scheduled = 0;
  let limitReached = false;
  const enqueue = (url: string, depth: number, requested: boolean): boolean => {
    if (queued.has(url)) return false;
    if (scheduled >= options.maxPages) {
      limitReached = true;
      return false;
    }
    scheduled++;
    queued.add(url);
    queue.push({ url, depth, requested });
    return true;
  };

  const prefetched = new Map<string, FetchedPage>();
  if (isXml(first.mediaType) && parseSitemap(decodeText(first.bytes, first.charset))) {
    const pages = new Set<string>();
    yield* expandSitemap(first, origin, pages, options);
    let added = 0;
    for (const url of pages) if (enqueue(url, 0, true)) added++;
    yield { kind: 'discovered', count: added };
  } else {
    enqueue(first.url, 0, true);
    // When the start redirected, links back to the address as typed are the same page.
    queued.add(pageKey(start));
    prefetched.set(first.url, first);
    yield { kind: 'discovered', count: 1 };
  }

  const done = new Set<string>();
  // An array iterator sees elements pushed while it runs: this walks the queue breadth-first as it grows.
  for (const page of queue) {
    let fetched = prefetched.get(page.url);
    if (!fetched) {
      try {
        fetched = await fetchPage(page.url, { sameOriginAs: origin, ...(options.fetch ? { fetch: options.fetch } : {}) });
      } catch (err) {
        yield problem(page, reasonOf(err));
        continue;
      }
    }
    if (done.has(fetched.url)) {
      yield { kind: 'skipped', source: page.url, reason: `same page as ${fetched.url}` };
      continue;
    }
    done.add(fetched.url);
    // A redirect's target is the page itself; a later link straight to it is not a new page.
    queued.add(fetched.url);
    const { item, links } = await extractPage(page, fetched);
    yield item;
    if (page.depth >= options.depth) continue;
    let added = 0;
    for (const link of links) {
      const url = new URL(link);
      if (url.origin !== origin || looksLikeAsset(url)) continue;
      if (enqueue(pageKey(url), page.depth + 1, false)) added++;
    }
    if (added > 0) yield { kind: 'discovered', count: added };
  }
  if (limitReached) yield { kind: 'note', message: `${start}: stopped at --max-pages ${options.maxPages}; some links were not followed` };
}
