export interface Sitemap {
  kind: 'urlset' | 'sitemapindex';
  /** `<loc>` values in document order: pages for a urlset, child sitemaps for an index. */
  locations: string[];
}

const ROOT = /<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>]/;
const LOC = /<(?:[\w.-]+:)?loc\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?loc\s*>/g;
const CDATA = /^<!\[CDATA\[([\s\S]*?)\]\]>$/;
const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(raw: string): string {
  const text = raw.trim();
  const cdata = CDATA.exec(text);
  if (cdata) return (cdata[1] ?? '').trim();
  return text.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    return NAMED[name?.toLowerCase() ?? ''] ?? whole;
  });
}

/**
 * Reads a sitemap (sitemaps.org protocol). The format is small, flat and machine-written, so the
 * two elements it needs are matched directly rather than through a full XML parser.
 * Returns undefined when the text is not a sitemap.
 */
export function parseSitemap(xml: string): Sitemap | undefined {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const kind = ROOT.exec(withoutComments)?.[1];
  if (kind !== 'urlset' && kind !== 'sitemapindex') return undefined;
  const locations: string[] = [];
  for (const match of withoutComments.matchAll(LOC)) {
    const location = decodeXmlText(match[1] ?? '');
    if (location !== '') locations.push(location);
  }
  return { kind, locations };
}
