const TARGET_CHARS = 500;
const OVERLAP_CHARS = 64;

/**
 * Splits on blank lines and packs paragraphs up to ~500 characters; an oversize paragraph is
 * word-wrapped. Consecutive chunks share a short tail so a sentence cut at a boundary is still found.
 */
export function chunkText(content: string): string[] {
  const paragraphs = content
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const pieces: string[] = [];
  for (const paragraph of paragraphs) {
    if (paragraph.length <= TARGET_CHARS) {
      pieces.push(paragraph);
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line !== '' && line.length + 1 + word.length > TARGET_CHARS) {
        pieces.push(line);
        line = '';
      }
      line = line === '' ? word : `${line} ${word}`;
    }
    if (line !== '') pieces.push(line);
  }
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current !== '' && current.length + 2 + piece.length > TARGET_CHARS) {
      chunks.push(current);
      const tail = current.slice(-OVERLAP_CHARS);
      const cut = tail.indexOf(' ');
      current = cut === -1 ? '' : tail.slice(cut + 1);
    }
    current = current === '' ? piece : `${current}\n\n${piece}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}
