import { crawl } from '../../ingest/web/crawl.js';
import { placeDocument, type ConnectorPlacement } from '../placement.js';
import type { Source } from '../source.js';
import type { ConnectorConfinement } from '../confinement.js';
import type { WebConnectorConfig } from '../types.js';
import { publicOnlyFetch } from './guarded-fetch.js';

export const DEFAULT_WEB_DEPTH = 2;
export const DEFAULT_WEB_MAX_PAGES = 200;

/**
 * A site, crawled as `smooth-operator ingest <url>` does (same origin, breadth-first, sitemaps
 * expanded), but confined: every hop must stay on the start URL's origin, and unless configured
 * otherwise only public addresses are reached (see guarded-fetch.ts). The web offers no change feed and a page must be fetched to find its links, so every
 * run re-crawls; pages whose text is unchanged come back from the store as `unchanged` and are
 * counted as skipped without being re-chunked or re-embedded. The cursor is the time the last crawl
 * started, for the operator's benefit. Document ids are page URLs.
 */
export function webSource(connectorName: string, config: WebConnectorConfig, now: () => Date, confinement: ConnectorConfinement): Source {
  const placement: ConnectorPlacement = {
    connectorName,
    ...(config.documentSets ? { documentSets: config.documentSets } : {}),
    ...(config.acl ? { acl: config.acl } : {}),
  };
  return {
    async *pull() {
      const startedAt = now().toISOString();
      let documents = 0;
      let firstFailure: string | undefined;
      const crawled = crawl(config.url, {
        depth: config.depth ?? DEFAULT_WEB_DEPTH,
        maxPages: config.maxPages ?? DEFAULT_WEB_MAX_PAGES,
        // Every hop, the start URL's first redirect included, stays on the start URL's origin.
        pinStartOrigin: true,
        ...(confinement.allowPrivateAddresses ? {} : { fetch: publicOnlyFetch }),
      });
      for await (const item of crawled) {
        if (item.kind === 'document') {
          documents++;
          yield { kind: 'document', document: placeDocument(item.document, placement) };
        } else if (item.kind === 'failed' || item.kind === 'skipped') {
          if (item.kind === 'failed') firstFailure ??= `${item.source}: ${item.reason}`;
          yield { kind: 'skipped', source: item.source, reason: item.reason };
        }
      }
      // A site that is down or a mistyped URL must show up as a failed run, not "succeeded, 0 documents".
      if (documents === 0 && firstFailure !== undefined) throw new Error(firstFailure);
      return startedAt;
    },
  };
}
