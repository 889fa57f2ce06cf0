import { createRequire } from 'node:module';
import type TurndownService from 'turndown';

/**
 * One converter for both HTML pages and DOCX (which arrives as HTML). Images keep only their alt
 * text: the picture itself can't be retrieved as text, and DOCX images would otherwise arrive as
 * megabytes of base64. Built on the first conversion: a server that never ingests HTML never loads
 * turndown and its DOM (~2 MB of heap).
 */
let converter: TurndownService | undefined;
function buildConverter(): TurndownService {
  const Turndown = createRequire(import.meta.url)('turndown') as typeof TurndownService;
  return new Turndown({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' })
    .remove(['script', 'style', 'noscript', 'template'])
    .addRule('image-alt-text', {
      filter: 'img',
      replacement: (_content, node) => {
        const alt = (node as { getAttribute(name: string): string | null }).getAttribute('alt')?.trim();
        return alt ? alt : '';
      },
    });
}

export function htmlToMarkdown(html: string): string {
  return (converter ??= buildConverter())
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
