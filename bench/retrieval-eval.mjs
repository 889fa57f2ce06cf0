// Retrieval quality on the help-center corpus, as a visitor's turn sees it: the distinct documents of a
// search with the auto-context limit (3), in order. Two question sets:
//   original  test/fixtures/helpcenter/questions.json (written with the articles at hand)
//   blind     bench/fixtures/blind-questions.json (written from titles and headings only, see
//             bench/print-headings.mjs) plus bench/fixtures/out-of-scope-questions.json, which the
//             corpus cannot answer.
// recall@1 / recall@3: the expected document is the first / among the distinct documents of the top 3.
// MRR: over the distinct documents of the top 10. Out-of-scope precision: share of out-of-scope
// questions with no confident hit (a hit is confident when `hit.confident !== false`; stores without a
// confidence signal count every hit as confident). "answerable" is the share of in-scope questions
// whose expected document comes back confident.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixture } from './helpcenter-corpus.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORG = 'eval';
const ACCESS = { organizationId: ORG, groups: [] };

export function loadEvaluationSets() {
  const fixture = loadFixture();
  const blind = JSON.parse(readFileSync(join(HERE, 'fixtures', 'blind-questions.json'), 'utf8'));
  const outOfScope = JSON.parse(readFileSync(join(HERE, 'fixtures', 'out-of-scope-questions.json'), 'utf8'));
  return { documents: fixture.documents, sets: { original: fixture.questions, blind }, outOfScope };
}

let threshold = 0;
/** Hits below this confidence do not count as an answer (stores without a confidence count as 1). */
export function setThreshold(value) {
  threshold = value;
}
const confident = (hit) => (hit.confidence ?? 1) >= threshold;

function distinctDocuments(hits) {
  return [...new Set(hits.map((h) => h.documentId))];
}

async function score(kb, questions) {
  let top1 = 0;
  let top3 = 0;
  let rr = 0;
  let answerable = 0;
  const misses = [];
  const byStyle = {};
  for (const { question, expectedDoc, style } of questions) {
    const bucket = (byStyle[style ?? 'all'] ??= { n: 0, top3: 0 });
    bucket.n++;
    const hits = await kb.search(question, { access: ACCESS, limit: 3 });
    const docs = distinctDocuments(hits);
    if (docs[0] === expectedDoc) top1++;
    if (docs.includes(expectedDoc)) (top3++, bucket.top3++);
    else misses.push({ question, expectedDoc, got: docs });
    if (hits.some((h) => h.documentId === expectedDoc && confident(h))) answerable++;
    const ranked = distinctDocuments(await kb.search(question, { access: ACCESS, limit: 10 }));
    const at = ranked.indexOf(expectedDoc);
    if (at >= 0) rr += 1 / (at + 1);
  }
  const n = questions.length;
  const styles = Object.fromEntries(Object.entries(byStyle).map(([k, b]) => [k, b.top3 / b.n]));
  return { recallAt1: top1 / n, recallAt3: top3 / n, mrr: rr / n, answerable: answerable / n, recallAt3ByStyle: styles, misses };
}

async function outOfScopePrecision(kb, questions) {
  let declined = 0;
  const confidentlyAnswered = [];
  for (const question of questions) {
    const hits = await kb.search(question, { access: ACCESS, limit: 3 });
    if (!hits.some(confident)) declined++;
    else confidentlyAnswered.push({ question, got: distinctDocuments(hits.filter(confident)) });
  }
  return { precision: declined / questions.length, confidentlyAnswered };
}

/** For calibration: blind-set answerable share and out-of-scope declined share at several thresholds. */
async function sweep(kb, blind, outOfScope) {
  const inScope = [];
  for (const q of blind) {
    const hits = await kb.search(q.question, { access: ACCESS, limit: 3 });
    inScope.push(Math.max(0, ...hits.filter((h) => h.documentId === q.expectedDoc).map((h) => h.confidence ?? 1)));
  }
  const outside = [];
  for (const question of outOfScope) {
    const hits = await kb.search(question, { access: ACCESS, limit: 3 });
    outside.push(Math.max(0, ...hits.map((h) => h.confidence ?? 1)));
  }
  return [0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7].map((t) => ({
    threshold: t,
    answerable: inScope.filter((c) => c >= t).length / inScope.length,
    declined: outside.filter((c) => c < t).length / outside.length,
  }));
}

/** Ingests the corpus into `kb` and measures both sets. */
export async function evaluate(kb, { documents, sets, outOfScope }) {
  await kb.upsert(ORG, documents);
  const result = {};
  for (const [name, questions] of Object.entries(sets)) result[name] = await score(kb, questions);
  result.outOfScope = await outOfScopePrecision(kb, outOfScope);
  result.sweep = await sweep(kb, sets.blind, outOfScope);
  return result;
}

export function formatRow(label, r) {
  const f = (x) => x.toFixed(3);
  return (
    `${label.padEnd(34)} original r@1 ${f(r.original.recallAt1)} r@3 ${f(r.original.recallAt3)} mrr ${f(r.original.mrr)} | ` +
    `blind r@1 ${f(r.blind.recallAt1)} r@3 ${f(r.blind.recallAt3)} (paraphrase ${f(r.blind.recallAt3ByStyle.paraphrase ?? NaN)}) ` +
    `mrr ${f(r.blind.mrr)} answerable ${f(r.blind.answerable)} | ` +
    `out-of-scope declined ${f(r.outOfScope.precision)}`
  );
}
