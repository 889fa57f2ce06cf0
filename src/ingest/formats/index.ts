import { extractDocx } from './docx.js';
import type { Extractor } from './extracted.js';
import { extractHtml } from './html.js';
import { extractMarkdown, extractMdx } from './markdown.js';
import { extractPdf } from './pdf.js';
import { extractText } from './text.js';

export type { Extracted, ExtractContext, Extractor } from './extracted.js';

export const EXTRACTOR_BY_EXTENSION: Readonly<Record<string, Extractor>> = {
  '.md': extractMarkdown,
  '.markdown': extractMarkdown,
  '.mdx': extractMdx,
  '.txt': extractText,
  '.html': extractHtml,
  '.htm': extractHtml,
  '.pdf': extractPdf,
  '.docx': extractDocx,
};

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(EXTRACTOR_BY_EXTENSION);

const EXTRACTOR_BY_MEDIA_TYPE: Readonly<Record<string, Extractor>> = {
  'text/html': extractHtml,
  'application/xhtml+xml': extractHtml,
  'text/plain': extractText,
  'text/markdown': extractMarkdown,
  'text/x-markdown': extractMarkdown,
  'application/pdf': extractPdf,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': extractDocx,
};

export function extractorForExtension(extension: string): Extractor | undefined {
  return Object.hasOwn(EXTRACTOR_BY_EXTENSION, extension) ? EXTRACTOR_BY_EXTENSION[extension] : undefined;
}

export function extractorForMediaType(mediaType: string): Extractor | undefined {
  return Object.hasOwn(EXTRACTOR_BY_MEDIA_TYPE, mediaType) ? EXTRACTOR_BY_MEDIA_TYPE[mediaType] : undefined;
}
