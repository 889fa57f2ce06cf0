import porter2 from 'wink-porter2-stemmer';

/**
 * Text analysis shared by every arm and every backend, so indexing and querying agree on what a term
 * is. It mirrors Postgres' `english` text-search configuration: the same Snowball stop-word list and
 * the same Snowball (Porter2) English stemmer, so a stem computed here names the lexeme Postgres
 * stored (a test holds the two together).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for with ' +
    'about against between into through during before after above below to from up down in out on off over under again ' +
    'further then once here there when where why how all any both each few more most other some such no nor not only ' +
    'own same so than too very s t can will just don should now'
  ).split(' '),
);

/** Longer "words" are pasted hashes or base64, not vocabulary; Postgres also refuses lexemes this long. */
const MAX_WORD_LENGTH = 100;

/** Lowercase words (letters and digits), in order; what both the stemmer and the speller see. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw !== '' && raw.length <= MAX_WORD_LENGTH) out.push(raw);
  }
  return out;
}

const stems = new Map<string, string>();
const MAX_CACHED_STEMS = 50_000;

/** Snowball English stem (Postgres' `english_stem`); words with digits or non-ASCII letters pass through. */
export function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = /^[a-z]+$/.test(word) ? porter2(word) : word;
    if (stems.size >= MAX_CACHED_STEMS) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** The analysed terms of `text`: words, stop words dropped, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) if (!STOP_WORDS.has(word)) out.push(stem(word));
  return out;
}
