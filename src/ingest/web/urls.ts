/** A page's identity: the same page reached through different `#anchors` is one document. */
export function pageKey(url: URL | string): string {
  const copy = new URL(url);
  copy.hash = '';
  return copy.href;
}

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Looks like a URL of some other scheme (`ftp://`, `file://`): refused rather than read as a path. */
export function isOtherSchemeUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !isHttpUrl(value);
}

// Files a help site links to that are never pages; not fetching them saves most of a crawl's requests.
const ASSET = /\.(?:png|jpe?g|gif|webp|avif|svg|ico|bmp|css|js|mjs|map|json|xml|rss|atom|zip|gz|tgz|tar|rar|7z|mp[34]|m4a|wav|ogg|webm|mov|avi|woff2?|ttf|otf|eot|exe|dmg|msi|apk|iso)$/i;

export function looksLikeAsset(url: URL): boolean {
  return ASSET.test(url.pathname);
}
