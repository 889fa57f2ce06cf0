import { parse, type HTMLElement } from 'node-html-parser';
import type { Extractor } from './extracted.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { decodeText, sniffHtmlCharset } from './text.js';

/** Page furniture that repeats on every page and would drown the real answer in search results. */
const NOISE = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'svg',
  'canvas',
  'nav',
  'aside',
  'dialog',
  '[role=navigation]',
  '[role=banner]',
  '[role=contentinfo]',
  '[role=complementary]',
  '[role=search]',
  '[hidden]',
  '[aria-hidden=true]',
].join(', ');

/** Only the page-wide header and footer are noise; an article's own header holds its title. */
const PAGE_CHROME = 'header, footer';
const SECTIONING = 'article, main, section, [role=main]';

function collapse(text: string | undefined): string | undefined {
  const clean = text?.replace(/\s+/g, ' ').trim();
  return clean ? clean : undefined;
}

function resolveHttp(href: string | undefined, base: string): string | undefined {
  if (href === undefined) return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** `<main>` when the page marks it; a lone `<article>` next; otherwise the whole body. */
function mainContent(root: HTMLElement): HTMLElement {
  const marked = root.querySelector('main, [role=main]');
  if (marked) return marked;
  const articles = root.querySelectorAll('article');
  if (articles.length === 1 && articles[0]) return articles[0];
  return root.querySelector('body') ?? root;
}

function stripNoise(content: HTMLElement): void {
  for (const el of content.querySelectorAll(NOISE)) el.remove();
  for (const el of content.querySelectorAll(PAGE_CHROME)) {
    if (!el.parentNode?.closest(SECTIONING)) el.remove();
  }
  for (const el of content.querySelectorAll('head, title')) el.remove();
}

export const extractHtml: Extractor = async (bytes, { baseUrl, charset }) => {
  const root = parse(decodeText(bytes, charset ?? sniffHtmlCharset(bytes)), { comment: false });
  const title = collapse(root.querySelector('title')?.textContent) ?? collapse(root.querySelector('h1')?.textContent);

  let links: string[] | undefined;
  if (baseUrl !== undefined) {
    const base = resolveHttp(root.querySelector('base[href]')?.getAttribute('href'), baseUrl) ?? baseUrl;
    links = [];
    // Links are read before the navigation is stripped: the navigation is how a crawler finds pages.
    for (const a of root.querySelectorAll('a[href]')) {
      const absolute = resolveHttp(a.getAttribute('href'), base);
      if (absolute === undefined) continue;
      links.push(absolute);
      a.setAttribute('href', absolute);
    }
  }

  const content = mainContent(root);
  stripNoise(content);
  return { content: htmlToMarkdown(content.innerHTML), ...(title ? { title } : {}), ...(links ? { links } : {}) };
};
