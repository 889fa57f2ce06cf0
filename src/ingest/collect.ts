import { collectPath } from './files/collect-path.js';
import { pathFilter } from './files/globs.js';
import type { IngestItem } from './types.js';
import { crawl } from './web/crawl.js';
import { isHttpUrl, isOtherSchemeUrl } from './web/urls.js';

export interface CollectOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  depth: number;
  maxPages: number;
}

/** Everything the arguments name, one item at a time, so uploading can start before loading ends. */
export async function* collect(sources: readonly string[], options: CollectOptions): AsyncGenerator<IngestItem> {
  const filter = pathFilter(options.include, options.exclude);
  for (const source of sources) {
    if (isHttpUrl(source)) yield* crawl(source, { depth: options.depth, maxPages: options.maxPages });
    else if (isOtherSchemeUrl(source)) yield { kind: 'failed', source, reason: 'only http(s) URLs and local paths can be ingested' };
    else yield* collectPath(source, filter);
  }
}
