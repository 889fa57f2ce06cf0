// Shared by the retrieval benchmarks: the help-center fixture and the seeded generators that grow it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'helpcenter');

/** The 46 help-center articles and the questions (with the article each should find). */
/** A folder of Markdown articles, one document each, titled by its `# ` line. */
function readArticles(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const content = readFileSync(join(dir, file), 'utf8');
      return { id: file, source: `help/${file}`, title: /^# (.+)$/m.exec(content)?.[1], content };
    });
}

export function loadFixture() {
  const documents = readArticles(join(FIXTURES, 'docs'));
  return { documents, questions: JSON.parse(readFileSync(join(FIXTURES, 'questions.json'), 'utf8')) };
}

const BENCH_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The second help center (an online clothing retailer), its blind questions and its out-of-scope questions. */
export function loadCorpusB() {
  const documents = readArticles(join(BENCH_FIXTURES, 'corpus-b'));
  const read = (name) => JSON.parse(readFileSync(join(BENCH_FIXTURES, name), 'utf8'));
  return { documents, questions: read('corpus-b-questions.json'), outOfScope: read('corpus-b-out-of-scope.json') };
}

// mulberry32: tiny and seedable, so every run (and every backend) gets the same synthetic corpus.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ru ta ve zo pi sa do fu gri bel tor van quin mar lex dri pol sen cor hap'.split(' ');

/** A vocabulary of invented words, drawn Zipf-like so a few are common and most are rare. */
export function inventedVocabulary(random, size) {
  const words = new Set();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  const list = [...words];
  return () => list[Math.min(list.length - 1, Math.floor(list.length ** random()) - 1)];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
