import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, type CollectOptions } from '../src/ingest/collect.js';
import type { IngestItem, LoadedDocument } from '../src/ingest/types.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ingest');

async function collectAll(sources: string[], options: Partial<CollectOptions> = {}): Promise<IngestItem[]> {
  const items: IngestItem[] = [];
  for await (const item of collect(sources, { depth: 0, maxPages: 200, ...options })) items.push(item);
  return items;
}

function documentsOf(items: IngestItem[]): LoadedDocument[] {
  return items.flatMap((i) => (i.kind === 'document' ? [i.document] : []));
}

function problemsOf(items: IngestItem[], kind: 'failed' | 'skipped'): Array<{ source: string; reason: string }> {
  return items.flatMap((i) => (i.kind === kind ? [{ source: i.source, reason: i.reason }] : []));
}

describe('file formats', () => {
  let documents: Map<string, LoadedDocument>;

  beforeAll(async () => {
    const items = await collectAll([FIXTURES]);
    expect(problemsOf(items, 'failed')).toEqual([]);
    documents = new Map(documentsOf(items).map((d) => [d.id, d]));
  });

  it.each([
    ['handbook.md', 'Support Handbook', 'The aurora escalation desk answers every priority ticket within 42 minutes.'],
    ['nested/faq.mdx', 'Frequently Asked Questions', 'Orders placed before 3 pm ship the same day.'],
    ['refunds.txt', 'refunds', 'Refunds for the Copper plan are issued to the original card within 9 days.'],
    ['pricing.html', 'Pricing | Example Co', 'The Zephyr plan costs 31 euros per seat each month.'],
    ['warranty.pdf', 'Warranty Terms', 'Every Lumen kettle carries a warranty of 26 months.'],
    ['onboarding.docx', 'Onboarding Guide', 'New agents shadow a senior colleague for 11 shifts.'],
  ])('%s: title and distinctive sentence, id and source relative to the root', (id, title, sentence) => {
    const doc = documents.get(id);
    expect(doc).toMatchObject({ id, source: id, title });
    expect(doc?.content).toContain(sentence);
    expect(doc?.url).toBeUndefined();
  });

  it('walks every supported file recursively, in a stable order', () => {
    expect([...documents.keys()]).toEqual(['handbook.md', 'nested/faq.mdx', 'onboarding.docx', 'pricing.html', 'refunds.txt', 'warranty.pdf']);
  });

  it('keeps every PDF page, in order', () => {
    const content = documents.get('warranty.pdf')?.content ?? '';
    expect(content.indexOf('26 months')).toBeLessThan(content.indexOf('Warranty claims need the serial number printed under the base.'));
  });

  it('HTML: main content as Markdown, without navigation, header, footer, aside, script or style', () => {
    const content = documents.get('pricing.html')?.content ?? '';
    expect(content).toContain('# Plans and pricing');
    expect(content).toContain('**two months**');
    expect(content).toContain('[billing FAQ](/faq.html)');
    expect(content).not.toMatch(/NOISE/);
  });

  it('Markdown: front matter and MDX imports are not content; DOCX headings become Markdown headings', () => {
    expect(documents.get('handbook.md')?.content).not.toContain('owner: support-team');
    expect(documents.get('nested/faq.mdx')?.content).not.toContain('import');
    expect(documents.get('onboarding.docx')?.content).toMatch(/^# Onboarding Guide\n/);
  });

  it('a file named directly is its own root', async () => {
    const items = await collectAll([join(FIXTURES, 'nested', 'faq.mdx')]);
    expect(documentsOf(items).map((d) => d.id)).toEqual(['faq.mdx']);
  });
});

describe('bad input is counted, never fatal', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-bad-'));
    await writeFile(join(dir, 'broken.pdf'), 'this is not a PDF');
    await writeFile(join(dir, 'broken.docx'), 'this is not a zip');
    await writeFile(join(dir, 'empty.md'), '   \n\n');
    await writeFile(join(dir, 'notes.rst'), 'reStructuredText');
    await writeFile(join(dir, 'fine.txt'), 'Still loaded.');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('corrupt files fail with a reason, empty ones are skipped, the rest still load', async () => {
    const items = await collectAll([dir, join(dir, 'notes.rst'), join(dir, 'missing.md'), 'ftp://example.com/x', 'http://']);
    expect(documentsOf(items).map((d) => d.id)).toEqual(['fine.txt']);
    const failed = problemsOf(items, 'failed');
    expect(failed.map((f) => f.source)).toEqual(['broken.docx', 'broken.pdf', 'notes.rst', join(dir, 'missing.md'), 'ftp://example.com/x', 'http://']);
    expect(failed[1]?.reason).toMatch(/could not extract text from pdf/);
    expect(failed[2]?.reason).toBe('unsupported file type ".rst"');
    expect(failed[3]?.reason).toMatch(/ENOENT/);
    expect(failed[5]?.reason).toBe('Invalid URL');
    expect(problemsOf(items, 'skipped')).toEqual([{ source: 'empty.md', reason: 'no text content' }]);
  });
});

describe('include and exclude globs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-globs-'));
    const files = ['a.md', 'drafts/b.md', 'docs/c.txt', 'docs/deep/d.html', 'docs/e.rst', 'node_modules/pkg/f.md', '.git/g.md', '.hidden/h.md'];
    for (const file of files) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), `Content of ${file}.`);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const ids = async (options: Partial<CollectOptions>) => documentsOf(await collectAll([dir], options)).map((d) => d.id);

  it('by default: every supported extension, not node_modules, .git or hidden folders', async () => {
    expect(await ids({})).toEqual(['a.md', 'docs/c.txt', 'docs/deep/d.html', 'drafts/b.md']);
  });

  it('--include replaces the default set', async () => {
    expect(await ids({ include: ['**/*.md'] })).toEqual(['a.md', 'drafts/b.md']);
    expect(await ids({ include: ['docs/**'] })).toEqual(['docs/c.txt', 'docs/deep/d.html']);
  });

  it('--exclude adds to the defaults; a bare name matches a folder or file at any depth', async () => {
    expect(await ids({ exclude: ['drafts'] })).toEqual(['a.md', 'docs/c.txt', 'docs/deep/d.html']);
    expect(await ids({ exclude: ['*.html', 'a.md'] })).toEqual(['docs/c.txt', 'drafts/b.md']);
    expect(await ids({ include: ['**/*.md'], exclude: ['**/drafts/**'] })).toEqual(['a.md']);
  });

  it('an included file of an unsupported type fails with a reason', async () => {
    const items = await collectAll([dir], { include: ['docs/*'] });
    expect(documentsOf(items).map((d) => d.id)).toEqual(['docs/c.txt']);
    expect(problemsOf(items, 'failed')).toEqual([{ source: 'docs/e.rst', reason: 'unsupported file type ".rst"' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// A loopback website, and a second origin that must never be asked for anything.

interface Site {
  server: Server;
  base: string;
  hits: string[];
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<Site> {
  const hits: string[] = [];
  const site: Site = { server: createServer(), base: '', hits };
  site.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    hits.push(req.url ?? '');
    handler(req, res, site.base);
  });
  await new Promise<void>((ok) => site.server.listen(0, '127.0.0.1', ok));
  site.base = `http://127.0.0.1:${(site.server.address() as AddressInfo).port}`;
  return site;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><title>${title}</title></head><body><nav><a href="/">Home</a></nav><main>${body}</main></body></html>`;
}

describe('web pages and sitemaps', () => {
  let site: Site;
  let other: Site;

  beforeAll(async () => {
    other = await listen((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('Elsewhere', '<p>OTHER-ORIGIN</p>')));
    site = await listen((req, res, base) => {
      const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      const xml = (body: string) => res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
      switch (req.url) {
        case '/':
          return html(
            page(
              'Help Center',
              `<p>ROOT-SENTENCE welcome.</p>
               <a href="/about">About</a> <a href="docs/guide#install">Guide</a> <a href="/docs/guide">Guide again</a>
               <a href="${other.base}/leak">Partner</a> <a href="mailto:help@example.com">Mail</a> <a href="/logo.png">Logo</a>
               <a href="/download">Download</a> <a href="/missing">Gone</a> <a href="/old">Old</a> <a href="/moved-away">Moved</a>`,
            ),
          );
        case '/about':
          return html(page('About', '<p>ABOUT-SENTENCE we are a small team.</p><a href="/deep">Deeper</a> <a href="/files/readme.txt">Readme</a>'));
        case '/docs/guide':
          return html(page('Guide', '<h1>Install guide</h1><p>GUIDE-SENTENCE run the installer.</p>'));
        case '/deep':
          return html(page('Deep', '<p>DEEP-SENTENCE at the bottom.</p>'));
        case '/notes.txt':
          return res.writeHead(200, { 'content-type': 'text/plain' }).end('NOTES-SENTENCE in plain text.');
        case '/files/readme.txt':
          return res.writeHead(200).end('README-SENTENCE served without a content type.');
        case '/download':
          return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('binary');
        case '/old':
          return res.writeHead(301, { location: '/about' }).end();
        case '/moved-away':
          return res.writeHead(302, { location: `${other.base}/moved` }).end();
        case '/sitemap.xml':
          return xml(
            `<?xml version="1.0" encoding="UTF-8"?>
             <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
               <sitemap><loc>${base}/sitemap-pages.xml</loc></sitemap>
               <sitemap><loc>${other.base}/sitemap.xml</loc></sitemap>
             </sitemapindex>`,
          );
        case '/sitemap-pages.xml':
          return xml(
            `<?xml version="1.0" encoding="UTF-8"?>
             <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
               <url><loc>${base}/about</loc></url>
               <url><loc><![CDATA[${base}/notes.txt]]></loc></url>
               <url><loc>${base}/about#team</loc></url>
               <url><loc>${other.base}/elsewhere</loc></url>
             </urlset>`,
          );
        default:
          return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
  });
  afterAll(async () => {
    await new Promise((ok) => site.server.close(ok));
    await new Promise((ok) => other.server.close(ok));
  });
  afterEach(() => {
    site.hits.length = 0;
    expect(other.hits).toEqual([]);
  });

  it('depth 0 (the default) ingests just the page, with its URL as id, source and url', async () => {
    const items = await collectAll([`${site.base}/`]);
    const docs = documentsOf(items);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ id: `${site.base}/`, source: `${site.base}/`, url: `${site.base}/`, title: 'Help Center' });
    expect(docs[0]?.content).toContain('ROOT-SENTENCE');
    expect(docs[0]?.content).toContain(`[About](${site.base}/about)`);
    expect(docs[0]?.content).not.toContain('Home');
    expect(site.hits).toEqual(['/']);
  });

  it('depth 1 follows same-origin links once, never other origins, assets or fragments twice', async () => {
    const items = await collectAll([`${site.base}/#top`], { depth: 1 });
    expect(documentsOf(items).map((d) => d.id)).toEqual([`${site.base}/`, `${site.base}/about`, `${site.base}/docs/guide`]);
    expect(problemsOf(items, 'failed')).toEqual([]);
    expect(problemsOf(items, 'skipped')).toEqual([
      { source: `${site.base}/download`, reason: 'not a document (application/octet-stream)' },
      { source: `${site.base}/missing`, reason: 'HTTP 404' },
      { source: `${site.base}/old`, reason: `same page as ${site.base}/about` },
      { source: `${site.base}/moved-away`, reason: `redirects to another origin (${other.base})` },
    ]);
    expect(site.hits).not.toContain('/deep');
    expect(site.hits).not.toContain('/logo.png');
    expect(site.hits.filter((h) => h === '/docs/guide')).toHaveLength(1);
  });

  it('depth 2 reaches one level further; an unlabelled response is judged by its extension', async () => {
    const docs = documentsOf(await collectAll([site.base], { depth: 2 }));
    expect(docs.map((d) => d.id)).toEqual(expect.arrayContaining([`${site.base}/deep`, `${site.base}/files/readme.txt`]));
    expect(docs.find((d) => d.id.endsWith('/readme.txt'))?.content).toBe('README-SENTENCE served without a content type.');
  });

  it('--max-pages bounds the pages fetched, and says so', async () => {
    const items = await collectAll([site.base], { depth: 5, maxPages: 2 });
    expect(documentsOf(items)).toHaveLength(2);
    expect(site.hits).toEqual(['/', '/about']);
    expect(items).toContainEqual({ kind: 'note', message: expect.stringContaining('stopped at --max-pages 2') });
  });

  it('a sitemap index leads to its sitemaps and their pages, same origin only, without duplicates', async () => {
    const items = await collectAll([`${site.base}/sitemap.xml`]);
    const docs = documentsOf(items);
    expect(docs.map((d) => d.id)).toEqual([`${site.base}/about`, `${site.base}/notes.txt`]);
    expect(docs[1]).toMatchObject({ url: `${site.base}/notes.txt`, content: 'NOTES-SENTENCE in plain text.' });
    expect(docs[1]?.title).toBeUndefined();
    expect(items).toContainEqual({ kind: 'note', message: expect.stringContaining('ignored 2 sitemap entries on other origins') });
    expect(site.hits).not.toContain('/deep');
  });

  it('a starting URL that cannot be fetched fails with the reason', async () => {
    const items = await collectAll([`${site.base}/missing`]);
    expect(problemsOf(items, 'failed')).toEqual([{ source: `${site.base}/missing`, reason: 'HTTP 404' }]);
  });
});
