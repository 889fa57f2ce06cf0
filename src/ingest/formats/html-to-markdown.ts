import TurndownService from 'turndown';

/**
 * One converter for both HTML pages and DOCX (which arrives as HTML). Images keep only their alt
 * text: the picture itself can't be retrieved as text, and DOCX images would otherwise arrive as
 * megabytes of base64.
 */
const converter = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' })
  .remove(['script', 'style', 'noscript', 'template'])
  .addRule('image-alt-text', {
    filter: 'img',
    replacement: (_content, node) => {
      const alt = (node as { getAttribute(name: string): string | null }).getAttribute('alt')?.trim();
      return alt ? alt : '';
    },
  });

export function htmlToMarkdown(html: string): string {
  return converter
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
