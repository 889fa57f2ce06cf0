import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { Extractor } from './extracted.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let pdfjs: Promise<PdfJs> | undefined;

/** pdf.js is megabytes of code; only a run that meets a PDF should pay to load it. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

/** The font and CMap tables ship inside the package; pointing at them keeps extraction offline. */
const PDFJS_ROOT = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const STANDARD_FONTS = join(PDFJS_ROOT, 'standard_fonts') + sep;
const CMAPS = join(PDFJS_ROOT, 'cmaps') + sep;

function declaredTitle(info: unknown): string | undefined {
  const title = (info as { Title?: unknown } | null)?.Title;
  return typeof title === 'string' && title.trim() !== '' ? title.trim() : undefined;
}

/** Text of every page in order, pages separated by a blank line so chunking respects them. */
export const extractPdf: Extractor = async (bytes) => {
  const { getDocument } = await loadPdfJs();
  // pdf.js takes ownership of (and detaches) the buffer it is given, so it gets a copy.
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    verbosity: 0,
    isEvalSupported: false,
    standardFontDataUrl: STANDARD_FONTS,
    cMapUrl: CMAPS,
    cMapPacked: true,
  }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const text = await page.getTextContent();
      let pageText = '';
      for (const item of text.items) {
        if (!('str' in item)) continue;
        pageText += item.str + (item.hasEOL ? '\n' : '');
      }
      page.cleanup();
      const trimmed = pageText.replace(/[ \t]+\n/g, '\n').trim();
      if (trimmed !== '') pages.push(trimmed);
    }
    // A damaged info dictionary costs the title, not the text already read.
    const title = await pdf.getMetadata().then(({ info }) => declaredTitle(info), () => undefined);
    return { content: pages.join('\n\n'), ...(title ? { title } : {}) };
  } finally {
    await pdf.destroy();
  }
};
