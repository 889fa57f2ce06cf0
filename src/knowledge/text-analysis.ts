/** Tokenisation shared by indexing and querying, so both sides agree on what a term is. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could do does did for from had has have how i if in into is it its ' +
    'me my of on or our so than that the their them then there these they this to was we were what when ' +
    'where which who why will with would you your'
  ).split(' '),
);

/** A deliberately light suffix stripper: enough that "returns" finds "return" and "shipping" finds "ship". */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  for (const [suffix, replacement] of [
    ['ies', 'y'],
    ['ing', ''],
    ['ed', ''],
    ['es', ''],
    ['s', ''],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, word.length - suffix.length) + replacement;
      // "shipping" → "shipp" → "ship": collapse a doubled final consonant left by -ing/-ed.
      return /([b-df-hj-np-tv-z])\1$/.test(base) ? base.slice(0, -1) : base;
    }
  }
  return word;
}

export function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw === '' || STOP_WORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}
