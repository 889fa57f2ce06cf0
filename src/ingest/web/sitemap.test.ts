import { describe, expect, it } from 'vitest';
import { parseSitemap } from './sitemap.js';

describe('parseSitemap', () => {
  it('reads a urlset: entities, CDATA, namespace prefixes, comments', () => {
    const xml = `<?xml version="1.0"?>
      <sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
        <!-- <loc>https://example.com/commented-out</loc> -->
        <sm:url><sm:loc> https://example.com/a?x=1&amp;y=2 </sm:loc><sm:lastmod>2024-01-01</sm:lastmod></sm:url>
        <sm:url><sm:loc><![CDATA[https://example.com/b?q=<1>]]></sm:loc></sm:url>
        <sm:url><sm:loc>https://example.com/caf&#233;&#x2F;</sm:loc></sm:url>
        <sm:url><sm:loc>   </sm:loc></sm:url>
      </sm:urlset>`;
    expect(parseSitemap(xml)).toEqual({
      kind: 'urlset',
      locations: ['https://example.com/a?x=1&y=2', 'https://example.com/b?q=<1>', 'https://example.com/café/'],
    });
  });

  it('reads a sitemap index', () => {
    const xml = '<sitemapindex><sitemap><loc>https://example.com/s1.xml</loc></sitemap></sitemapindex>';
    expect(parseSitemap(xml)).toEqual({ kind: 'sitemapindex', locations: ['https://example.com/s1.xml'] });
  });

  it('is undefined for XML that is not a sitemap', () => {
    expect(parseSitemap('<rss><channel><link>https://example.com</link></channel></rss>')).toBeUndefined();
    expect(parseSitemap('<html><body>urlset</body></html>')).toBeUndefined();
  });

  it('leaves an out-of-range character reference as written instead of throwing', () => {
    expect(parseSitemap('<urlset><url><loc>https://e.com/&#99999999;</loc></url></urlset>')?.locations).toEqual(['https://e.com/&#99999999;']);
  });
});
