import type { Extractor } from './extracted.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { firstHeading } from './markdown-title.js';

type Mammoth = typeof import('mammoth');

let mammoth: Promise<Mammoth> | undefined;

function loadMammoth(): Promise<Mammoth> {
  mammoth ??= import('mammoth').then((m) => (m as { default?: Mammoth }).default ?? m);
  return mammoth;
}

/** Word → HTML (keeping headings, lists and tables) → Markdown, the same path an HTML page takes. */
export const extractDocx: Extractor = async (bytes) => {
  const { convertToHtml, images } = await loadMammoth();
  const { value } = await convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    {
      // Image bytes are never read: only alt text reaches the Markdown.
      convertImage: images.imgElement(async () => ({ src: '' })),
      // A document must not make us read files it links to on this machine.
      externalFileAccess: false,
    },
  );
  const content = htmlToMarkdown(value);
  const title = firstHeading(content);
  return { content, ...(title ? { title } : {}) };
};
