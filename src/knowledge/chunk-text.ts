const TARGET_CHARS = 500;
const OVERLAP_CHARS = 64;

/** One chunk of a document: its text (Markdown as written) and the headings it sits under. */
export interface DocumentChunk {
  text: string;
  /** Heading path from the outermost heading down, e.g. ["Returns", "Refund timing"]; empty before any heading. */
  headings: string[];
}

interface Section {
  headings: string[];
  /** The heading line itself (kept in the chunk text so Markdown structure survives), or '' before any. */
  headingLine: string;
  paragraphs: string[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** Splits Markdown at ATX headings (ignoring `#` lines inside code fences) into sections with their heading path. */
function sections(content: string): Section[] {
  const out: Section[] = [];
  const path: Array<{ level: number; text: string }> = [];
  let current: Section = { headings: [], headingLine: '', paragraphs: [] };
  let paragraph: string[] = [];
  let fenced = false;
  const endParagraph = () => {
    const text = paragraph.join('\n').trim();
    if (text !== '') current.paragraphs.push(text);
    paragraph = [];
  };
  for (const line of content.replace(/\r\n?/g, '\n').split('\n')) {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(line);
    if (heading) {
      endParagraph();
      out.push(current);
      const level = heading[1]!.length;
      while (path.length > 0 && path.at(-1)!.level >= level) path.pop();
      path.push({ level, text: heading[2]!.trim() });
      current = { headings: path.map((h) => h.text), headingLine: line.trim(), paragraphs: [] };
      continue;
    }
    if (!fenced && line.trim() === '') endParagraph();
    else paragraph.push(line);
  }
  endParagraph();
  out.push(current);
  return out.filter((s) => s.headingLine !== '' || s.paragraphs.length > 0);
}

/** Word-wraps a paragraph longer than the target into pieces that fit. */
function wrap(paragraph: string): string[] {
  if (paragraph.length <= TARGET_CHARS) return [paragraph];
  const pieces: string[] = [];
  let line = '';
  for (const word of paragraph.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > TARGET_CHARS) {
      pieces.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') pieces.push(line);
  return pieces;
}

/**
 * Heading-aware chunking: a document is split at its headings, and each section is packed into
 * chunks of ~500 characters by paragraph. A heading always opens the chunk that holds the start of
 * its body (a heading with no body of its own joins the next section), so a heading and what it
 * introduces are found together; every chunk of a section carries the section's heading path. A
 * section longer than one chunk continues in further chunks that share a short overlap.
 */
export function chunkDocument(content: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let pendingHeadings: string[] = [];
  for (const section of sections(content)) {
    const lead = [...pendingHeadings, ...(section.headingLine ? [section.headingLine] : [])];
    if (section.paragraphs.length === 0) {
      // A heading directly followed by a sub-heading: it opens the sub-section's first chunk.
      pendingHeadings = lead;
      continue;
    }
    pendingHeadings = [];
    const pieces = section.paragraphs.flatMap(wrap);
    if (lead.length > 0) pieces[0] = `${lead.join('\n\n')}\n\n${pieces[0]}`;
    let current = '';
    for (const piece of pieces) {
      if (current !== '' && current.length + 2 + piece.length > TARGET_CHARS) {
        chunks.push({ text: current, headings: section.headings });
        const tail = current.slice(-OVERLAP_CHARS);
        const cut = tail.indexOf(' ');
        current = cut === -1 ? '' : tail.slice(cut + 1);
      }
      current = current === '' ? piece : `${current}\n\n${piece}`;
    }
    if (current !== '') chunks.push({ text: current, headings: section.headings });
  }
  if (pendingHeadings.length > 0) chunks.push({ text: pendingHeadings.join('\n\n'), headings: [] });
  return chunks;
}

/** The chunk texts of `content` (see `chunkDocument`). */
export function chunkText(content: string): string[] {
  return chunkDocument(content).map((c) => c.text);
}
