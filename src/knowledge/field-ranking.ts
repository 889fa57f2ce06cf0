import { reciprocalRankFusion } from './fusion.js';
import { terms } from './text-analysis.js';

/** A query term with its weight: 1 for the caller's own words, less for expansions of them. */
export interface WeightedTerm {
  term: string;
  weight: number;
  /** Index of the query word this term stands for; a word's expansions share it and count once. */
  group: number;
  /**
   * How much the word this term stands for says about what is asked, in (0, 1]: conversational filler
   * ("please", "help", "problem") says little, whatever its idf. Defaults to 1.
   */
  salience?: number;
  /**
   * Ranks but is no evidence of an answer: a candidate it matches scores higher, but its confidence
   * does not rise (WordNet's synonyms bridge a customer's words to an article's, yet they also
   * carry a question about the weather onto some article's words), and it finds no candidates of its
   * own — every store fetches candidates with the other terms only — and weighs by the rarity of the
   * word it stands for, so no store looks up its frequency. As a finder, with its own frequency, it
   * cost a third more keyword latency at 100k chunks and recall@3 on corpus B (0.775 → 0.738).
   */
  rankingOnly?: boolean;
}

/** Term frequencies and lengths of one text field. */
export interface FieldTerms {
  tf: ReadonlyMap<string, number>;
  length: number;
}

export function fieldTerms(text: string): FieldTerms {
  const tf = new Map<string, number>();
  const list = terms(text);
  for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
  return { tf, length: list.length };
}

/** The three fields a chunk is ranked on. */
export interface ChunkFields {
  title: FieldTerms;
  headings: FieldTerms;
  body: FieldTerms;
}

export type FieldName = keyof ChunkFields;
export const FIELD_NAMES: readonly FieldName[] = ['title', 'headings', 'body'];

/**
 * Collection statistics of the partition the caller may read (organization, ACL, document sets), and
 * nothing else: a caller's scores never move because of documents it cannot see.
 */
export interface PartitionStats {
  chunks: number;
  averageLength: Readonly<Record<FieldName, number>>;
  /** Chunks of the partition containing `term` in any field. */
  documentFrequency: (term: string) => number;
}

export interface RankingWeights {
  /**
   * BM25F field weights. Each field already has its own length normalisation, so a title word counts
   * through the short title field as well as the body; extra weight on top (3/2/1) lowered top-1 on
   * the blind set (0.754 → 0.717), so the default weights are equal.
   */
  field: Readonly<Record<FieldName, number>>;
  /** Per-field length normalisation. */
  b: Readonly<Record<FieldName, number>>;
  k1: number;
  /**
   * Document-level fusion: a document scores its best chunk plus this share of its next best ones,
   * so an article that answers across sections beats one that mentions a word once. 0 ranks by best chunk.
   */
  documentEvidence: number;
}

export const DEFAULT_WEIGHTS: RankingWeights = {
  field: { title: 1, headings: 1, body: 1 },
  b: { title: 0.3, headings: 0.3, body: 0.75 },
  k1: 1.2,
  documentEvidence: 0.25,
};

/**
 * The confidence below which a hit is not treated as an answer: no passage injected, no citation
 * claimed. Calibrated with `bench/retrieval --sweep` on the blind and out-of-scope sets: at 0.5 about
 * 95% of the blind questions whose article ranks in the top 3 keep it, and 95% of the out-of-scope
 * questions get nothing.
 */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/**
 * A hit's confidence blends two shares of the query's idf-weighted words: those the document contains
 * (this share of the confidence) and those any of the query's candidate documents contains (the rest).
 * The document's own share alone (0.45 threshold) kept only 76% of blind-set answers: customers'
 * paraphrases miss most of their article's words. Coverage alone does not tell a document that
 * answers from one that shares a single word, and no-LLM replies and citations rank on that.
 */
const MATCH_SHARE = 0.4;

/** What a store hands the ranker for one candidate chunk. */
export interface Candidate<T> {
  item: T;
  documentId: string;
  fields: ChunkFields;
  /** Cosine similarity from the dense arm, when it found this chunk. */
  dense?: number;
}

export interface RankedDocumentHit<T> {
  item: T;
  score: number;
  /**
   * In [0, 1]: the share of the query's (idf-weighted) words the document contains, blended with the
   * share any candidate document contains (see `MATCH_SHARE`).
   */
  confidence: number;
}

/**
 * Added to each word's idf in the confidence, so a word found in every document of a tiny knowledge
 * base (idf near 0) still counts as found: "return window" against a one-article store is answered.
 */
const CONFIDENCE_IDF_FLOOR = 1;

function idf(stats: PartitionStats, df: number): number {
  return Math.log(1 + (stats.chunks - df + 0.5) / (df + 0.5));
}

/** Count of `term` across fields, weighted and length-normalised (BM25F's pseudo term frequency). */
function weightedTf(fields: ChunkFields, term: string, stats: PartitionStats, w: RankingWeights): number {
  let sum = 0;
  for (const name of FIELD_NAMES) {
    const field = fields[name];
    const tf = field.tf.get(term);
    if (!tf) continue;
    const avg = stats.averageLength[name] || 1;
    sum += (w.field[name] * tf) / (1 - w.b[name] + (w.b[name] * field.length) / avg);
  }
  return sum;
}

function contains(fields: ChunkFields, term: string): boolean {
  return fields.title.tf.has(term) || fields.headings.tf.has(term) || fields.body.tf.has(term);
}

/**
 * Ranks candidate chunks by document: BM25F per chunk (each query word counts once, through its best
 * matching term), chunks fused per document, and — when the dense arm found candidates — the document
 * list fused with the dense one by reciprocal rank. Each document is represented by its best chunk;
 * further chunks of the top documents follow. Every backend ranks through this one function, so the
 * same candidates and statistics give the same order everywhere.
 */
export function rankCandidates<T>(
  query: readonly WeightedTerm[],
  candidates: ReadonlyArray<Candidate<T>>,
  stats: PartitionStats,
  limit: number,
  weights: RankingWeights = DEFAULT_WEIGHTS,
): RankedDocumentHit<T>[] {
  if (candidates.length === 0 || limit <= 0) return [];
  const groupIdf = new Map<number, number>();
  const groupWeight = new Map<number, number>();
  const termIdf = new Map<string, number>();
  const ownIdf = new Map<number, number>();
  for (const q of query) {
    // A ranking-only stand-in is as rare as the word it stands for: no frequency of its own to look up.
    const value = q.rankingOnly ? (ownIdf.get(q.group) ?? 0) : idf(stats, stats.documentFrequency(q.term));
    if (!ownIdf.has(q.group)) ownIdf.set(q.group, value);
    termIdf.set(q.term, value);
    // A word's weight in the confidence is its own rarity (its first, original term's idf) and salience.
    if (!groupIdf.has(q.group)) {
      groupIdf.set(q.group, (CONFIDENCE_IDF_FLOOR + value) * (q.salience ?? 1));
      groupWeight.set(q.group, q.weight);
    }
  }
  const totalIdf = [...groupIdf.values()].reduce((a, b) => a + b, 0) || 1;

  interface Doc {
    id: string;
    chunks: Array<{ candidate: Candidate<T>; score: number }>;
    matched: Map<number, number>;
    dense: number;
  }
  const docs = new Map<string, Doc>();
  for (const candidate of candidates) {
    const best = new Map<number, number>();
    let doc = docs.get(candidate.documentId);
    if (!doc) {
      doc = { id: candidate.documentId, chunks: [], matched: new Map(), dense: -Infinity };
      docs.set(candidate.documentId, doc);
    }
    for (const q of query) {
      if (!contains(candidate.fields, q.term)) continue;
      const tf = weightedTf(candidate.fields, q.term, stats, weights);
      const score = (q.weight * termIdf.get(q.term)! * tf * (weights.k1 + 1)) / (tf + weights.k1);
      if (score > (best.get(q.group) ?? 0)) best.set(q.group, score);
      const share = Math.min(1, q.weight / (groupWeight.get(q.group) || 1));
      if (!q.rankingOnly && share > (doc.matched.get(q.group) ?? 0)) doc.matched.set(q.group, share);
    }
    let score = 0;
    for (const s of best.values()) score += s;
    doc.chunks.push({ candidate, score });
    if (candidate.dense !== undefined && candidate.dense > doc.dense) doc.dense = candidate.dense;
  }

  const lexical: Array<{ item: Doc; score: number }> = [];
  const dense: Array<{ item: Doc; score: number }> = [];
  for (const doc of docs.values()) {
    doc.chunks.sort((a, b) => b.score - a.score);
    const [first, ...rest] = doc.chunks;
    const score = (first?.score ?? 0) + weights.documentEvidence * rest.slice(0, 2).reduce((sum, c) => sum + c.score, 0);
    if (score > 0) lexical.push({ item: doc, score });
    if (doc.dense > 0) dense.push({ item: doc, score: doc.dense });
  }
  lexical.sort((a, b) => b.score - a.score);
  dense.sort((a, b) => b.score - a.score);
  const ordered = dense.length > 0 ? reciprocalRankFusion([lexical, dense]) : lexical;

  // How much of what was asked the best-matching part of the knowledge base has words for at all
  // (the union over every candidate): a question about the weather shares a word or two with some
  // article by chance, a customer's paraphrase mostly uses words the help center uses somewhere near
  // its answer, even when the answer itself uses others. Over candidates rather than the whole
  // partition, so a large knowledge base that contains every word somewhere does not vouch for all.
  // A word counts as covered through any of its terms at full weight: a synonym or a spelling is a
  // word for what was asked (a document's own share still weighs them lower, so the original words
  // rank first). Partial credit lowered the held-out set's visitor recall 0.837 → 0.804 at the same
  // out-of-scope cost per point (`bench/retrieval --sweep`).
  const covered = new Set<number>();
  for (const doc of docs.values()) for (const group of doc.matched.keys()) covered.add(group);
  let known = 0;
  for (const group of covered) known += groupIdf.get(group)!;
  const coverage = Math.min(1, known / totalIdf);
  const confidenceOf = (doc: Doc): number => {
    let matched = 0;
    for (const [group, weight] of doc.matched) matched += weight * groupIdf.get(group)!;
    return MATCH_SHARE * Math.min(1, matched / totalIdf) + (1 - MATCH_SHARE) * coverage;
  };
  const hits: RankedDocumentHit<T>[] = [];
  for (const { item: doc, score } of ordered) {
    if (hits.length >= limit) return hits;
    // A document found only by the dense arm is represented by its nearest chunk.
    const lead = doc.chunks[0]!.score > 0 ? doc.chunks[0]! : [...doc.chunks].sort((a, b) => (b.candidate.dense ?? 0) - (a.candidate.dense ?? 0))[0]!;
    hits.push({ item: lead.candidate.item, score, confidence: confidenceOf(doc) });
  }
  for (const { item: doc, score } of ordered) {
    const confidence = confidenceOf(doc);
    for (const chunk of doc.chunks.slice(1)) {
      if (hits.length >= limit) return hits;
      if (chunk.score > 0) hits.push({ item: chunk.candidate.item, score: score * (chunk.score / (doc.chunks[0]!.score || 1)), confidence });
    }
  }
  return hits;
}
