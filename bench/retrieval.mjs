#!/usr/bin/env node
// Retrieval benchmark for the in-memory knowledge store (dist/knowledge, so `npm run build` first).
//
// 1. recall@3 of the help-center fixture (test/fixtures/helpcenter: 46 articles, 90 user questions).
// 2. For each corpus size: ingest that many synthetic chunks (fixture sentences re-mixed with a
//    Zipf-distributed invented vocabulary, so postings and vocabulary grow like a real corpus), report
//    ingestion chunks/s, then p50/p95 latency of the fixture questions (limit 3, as auto-context uses).
//
// Everything is offline and seeded, so runs are comparable. Rows:
//   - the default offline embedder (sparse hashed vectors, served from an inverted index);
//   - the same with half the documents behind a group ACL, queried by a member of that group, which is
//     the slow path of the access filter (it has to read each restricted document's ACL);
//   - with `--dense`, an embedder emitting dense 1024-d vectors (noise: only its cost matters), standing
//     in for a model embedder; those go through the dense vector index (src/knowledge/vector-index.ts:
//     exact up to 20k vectors, then sign-code Hamming pass, int8 estimate, exact rescoring, in a worker).
// 3. With `--ann`, the dense index alone against its exact scan, on clustered and on noise vectors
//    (see measureAnn).
//
// Usage: node --expose-gc bench/retrieval.mjs [--sizes 10000,100000] [--rounds 3] [--dense] [--ann]
// (--expose-gc only makes the memory column available; it includes the dense index's wasm memory.)

import { performance } from 'node:perf_hooks';
import { inventedVocabulary, loadFixture, percentile, rng } from './helpcenter-corpus.mjs';
import { ALL_BACKENDS, openBackend } from './retrieval-backends.mjs';
import { evaluate, formatRow, loadEvaluationSets, setThreshold } from './retrieval-eval.mjs';
import { DEFAULT_MIN_CONFIDENCE, DEFAULT_WEIGHTS, DeterministicEmbedder, MemoryKnowledge, QueryAnalyzer } from '../dist/knowledge/index.js';
import { WordNet, WordNetSpeller, WordNetSynonyms } from '../dist/knowledge/wordnet.js';

const wordnet = new WordNet();

const ORG = 'bench';
const ACCESS = { organizationId: ORG, groups: [] };
const STAFF = { organizationId: ORG, userId: 'bench-user', groups: ['staff'] };
const LIMIT = 3;
const INGEST_BATCH = 500;

function parseArgs(argv) {
  const opts = { sizes: [10_000, 100_000], rounds: 3, dense: false, backends: ALL_BACKENDS, configs: undefined, quality: true, scale: true, misses: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dense') opts.dense = true;
    else if (arg === '--ann') opts.ann = true;
    else if (arg === '--backends') opts.backends = String(argv[++i]).split(',');
    else if (arg === '--configs') opts.configs = String(argv[++i]).split(',');
    else if (arg === '--quality-only') opts.scale = false;
    else if (arg === '--scale-only') opts.quality = false;
    else if (arg === '--misses') opts.misses = true;
    else if (arg === '--sweep') opts.sweep = true;
    else if (arg === '--threshold') opts.threshold = Number(argv[++i]);
    else if (arg === '--sizes') opts.sizes = String(argv[++i]).split(',').map(positive('--sizes'));
    else if (arg === '--rounds') opts.rounds = positive('--rounds')(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  return opts;
}

function positive(name) {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected positive integers, got "${raw}"`);
    return n;
  };
}

/** `count` single-chunk documents built from fixture sentences with a third of the words swapped out. */
function syntheticDocuments(fixtureDocs, count, seed) {
  const random = rng(seed);
  const word = inventedVocabulary(random, 60_000);
  const sentences = fixtureDocs.flatMap((d) =>
    d.content
      .replace(/^#.*$/gm, '')
      .split(/(?<=[.!?])\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 20),
  );
  const docs = [];
  for (let i = 0; i < count; i++) {
    const parts = [];
    let length = 0;
    while (length < 380) {
      const sentence = sentences[Math.floor(random() * sentences.length)];
      const mixed = sentence
        .split(' ')
        .map((w) => (random() < 0.33 ? word() : w))
        .join(' ');
      parts.push(mixed);
      length += mixed.length + 1;
    }
    docs.push({ id: `synthetic/${i}`, source: `synthetic/${i}.md`, content: parts.join(' ').slice(0, 480) });
  }
  return docs;
}

/** Dense noise vectors, seeded by the text: the scan cost of a model embedder without the model. */
class DenseNoiseEmbedder {
  id = 'bench-dense-noise';
  dimensions = 1024;
  async embed(texts) {
    return texts.map((text) => {
      let seed = 2166136261;
      for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
      const random = rng(seed);
      return Float32Array.from({ length: this.dimensions }, () => random() * 2 - 1);
    });
  }
}

/** Heap plus typed-array bytes once garbage is really gone; undefined without --expose-gc. */
async function settledMemory() {
  if (!global.gc) return undefined;
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers + (await wasmBytes());
}

/** Dense vectors live in WebAssembly memory, which `process.memoryUsage()` counts nowhere but rss. */
async function wasmBytes() {
  const slab = await import('../dist/knowledge/dense-slab.js').catch(() => undefined);
  return slab?.denseMemoryBytes?.() ?? 0;
}

async function recallAt3(kb, questions) {
  let found = 0;
  for (const q of questions) {
    const hits = await kb.search(q.question, { access: ACCESS, limit: LIMIT });
    if (hits.some((h) => h.documentId === q.expectedDoc)) found++;
  }
  return found / questions.length;
}

async function measureCorpus({ label, embedder, restricted }, size, fixture, rounds) {
  const access = restricted ? STAFF : ACCESS;
  const before = await settledMemory();
  let synthetic = syntheticDocuments(fixture.documents, size, 42).map((doc, i) =>
    restricted && i % 2 === 0 ? { ...doc, acl: { public: false, users: [], groups: ['staff'] } } : doc,
  );
  const kb = new MemoryKnowledge({ embedder });
  const started = performance.now();
  let chunks = 0;
  for (let i = 0; i < synthetic.length; i += INGEST_BATCH) {
    for (const doc of await kb.upsert(ORG, synthetic.slice(i, i + INGEST_BATCH))) chunks += doc.chunkCount;
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const ingestedChunks = chunks;
  synthetic = undefined;
  for (const doc of await kb.upsert(ORG, fixture.documents)) chunks += doc.chunkCount;
  const after = await settledMemory();

  for (const q of fixture.questions.slice(0, 20)) await kb.search(q.question, { access, limit: LIMIT });
  const latencies = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of fixture.questions) {
      const t = performance.now();
      await kb.search(q.question, { access, limit: LIMIT });
      latencies.push(performance.now() - t);
    }
  }
  latencies.sort((a, b) => a - b);
  const row = {
    run: label,
    chunks,
    ingestChunksPerSec: Math.round(ingestedChunks / ingestSeconds),
    p50ms: +percentile(latencies, 50).toFixed(2),
    p95ms: +percentile(latencies, 95).toFixed(2),
    maxMs: +latencies.at(-1).toFixed(2),
    ...(after && before ? { memoryMB: Math.round((after - before) / 1e6) } : {}),
  };
  return row;
}

/**
 * Retrieval configurations compared on every backend (the ablation): each is a set of store options,
 * so an idea stays in the default only if its row beats the one without it.
 */
const speller = new WordNetSpeller(wordnet);
const CONFIGURATIONS = {
  default: {},
  'lexical-rerank': { reranker: 'lexical' },
  '+dense-arm(hashing)': { retrieval: { dense: true } },
  '+dense-arm(raw hashing)': { embedder: new DeterministicEmbedder(), retrieval: { dense: true } },
  '-wordnet-synonyms': { retrieval: { analyzer: new QueryAnalyzer({ sources: [speller] }) } },
  // An operator's synonym file on top of the defaults, to measure it before deploying it.
  ...(process.env.BENCH_LEXICON ? { '+lexicon': { retrieval: { analyzer: QueryAnalyzer.withSynonymFile(process.env.BENCH_LEXICON, [speller, new WordNetSynonyms(wordnet)]) } } } : {}),
  '-speller': { retrieval: { analyzer: new QueryAnalyzer({ sources: [new WordNetSynonyms(wordnet)] }) } },
  '-support-synonyms': { retrieval: { analyzer: new QueryAnalyzer({ synonyms: [], sources: [speller, new WordNetSynonyms(wordnet)] }) } },
  '-document-fusion': { retrieval: { weights: { ...DEFAULT_WEIGHTS, documentEvidence: 0 } } },
  '+field-weights(3/2/1)': { retrieval: { weights: { ...DEFAULT_WEIGHTS, field: { title: 3, headings: 2, body: 1 } } } },
  '-fields(body only)': { retrieval: { weights: { ...DEFAULT_WEIGHTS, field: { title: 0, headings: 0, body: 1 } } } },
};

async function measureQuality(opts) {
  const sets = loadEvaluationSets();
  setThreshold(opts.threshold ?? DEFAULT_MIN_CONFIDENCE);
  console.log(
    `quality: ${sets.documents.length} docs; original ${sets.sets.original.length} questions, blind ${sets.sets.blind.length}, ` +
      `out-of-scope ${sets.outOfScope.length}; held-out ${sets.sets.heldOut.length}, held-out out-of-scope ${sets.outOfScopeHeldOut.length}; ` +
      `threshold ${opts.threshold ?? DEFAULT_MIN_CONFIDENCE}`,
  );
  const results = [];
  for (const backend of opts.backends) {
    for (const [config, options] of Object.entries(CONFIGURATIONS)) {
      if (opts.configs && !opts.configs.includes(config)) continue;
      let opened;
      try {
        opened = await openBackend(backend, { embedder: new DeterministicEmbedder({ tokens: 'terms' }), ...options });
      } catch (err) {
        console.log(`${backend}/${config}: unavailable (${err.message})`);
        continue;
      }
      try {
        const r = await evaluate(opened.kb, sets);
        console.log(formatRow(`${backend}/${config}`, r));
        const sweepLine = (points) => points.map((p) => `${p.threshold}: visitor r@3 ${p.answerable.toFixed(3)} declined ${p.declined.toFixed(3)}`).join(' | ');
        if (opts.sweep) console.log(`    blind sweep:    ${sweepLine(r.sweep)}\n    held-out sweep: ${sweepLine(r.sweepHeldOut)}\n    corpus B sweep: ${sweepLine(r.sweepB)}`);
        if (opts.misses) {
          for (const m of r.blind.misses) console.log(`    blind miss: ${JSON.stringify(m.question)} → [${m.got.join(', ')}] wanted ${m.expectedDoc}`);
          for (const m of r.heldOut.misses) console.log(`    held-out miss: ${JSON.stringify(m.question)} → [${m.got.join(', ')}] wanted ${m.expectedDoc}`);
          for (const m of r.corpusB.misses) console.log(`    corpus B miss: ${JSON.stringify(m.question)} → [${m.got.join(', ')}] wanted ${m.expectedDoc}`);
          for (const m of [...r.outOfScope.confidentlyAnswered, ...r.outOfScopeHeldOut.confidentlyAnswered, ...r.outOfScopeB.confidentlyAnswered]) {
            console.log(`    out-of-scope answered: ${JSON.stringify(m.question)} → [${m.got.join(', ')}]`);
          }
        }
        const strip = ({ misses: _m, ...rest }) => rest;
        results.push({
          backend,
          config,
          original: strip(r.original),
          blind: strip(r.blind),
          heldOut: strip(r.heldOut),
          outOfScope: r.outOfScope.precision,
          outOfScopeHeldOut: r.outOfScopeHeldOut.precision,
          corpusB: strip(r.corpusB),
          outOfScopeB: r.outOfScopeB.precision,
        });
      } finally {
        await opened.close();
      }
    }
  }
  console.log('');
  return results;
}

/**
 * The approximate dense scan against the exact one, on clustered 1024-d vectors (topic centres plus
 * noise, the shape of real embeddings) and on uniform noise (the hardest case for binary codes: its
 * neighbours are barely nearer than anything else): ingest vectors/s, memory, p50/p95 of both scans
 * on the calling thread, recall@10 of the approximate one, and, where the index has `searchAsync`,
 * its latency with the scan in the worker and the part of it spent on the event loop.
 */
async function measureAnn(sizes, queries = 100) {
  const { VectorIndex } = await import('../dist/knowledge/vector-index.js');
  const dims = 1024;
  const rows = [];
  for (const shape of ['clustered', 'noise']) for (const size of sizes) {
    const random = rng(size);
    const centers = Array.from({ length: 200 }, () => Float32Array.from({ length: dims }, () => random() * 2 - 1));
    const sample =
      shape === 'noise'
        ? () => Float32Array.from({ length: dims }, () => random() * 2 - 1)
        : () => {
            const c = centers[Math.floor(random() * centers.length)];
            const v = new Float32Array(dims);
            for (let i = 0; i < dims; i++) v[i] = c[i] + (random() * 2 - 1) * 0.9;
            return v;
          };
    const before = await settledMemory();
    const index = new VectorIndex(dims);
    const started = performance.now();
    for (let i = 0; i < size; i++) index.add(i, 0, sample());
    const ingest = size / ((performance.now() - started) / 1000);
    const after = await settledMemory();
    const allowed = Uint8Array.of(1);
    const approx = [];
    const exact = [];
    const offThread = [];
    const onLoop = [];
    let found = 0;
    let foundOffThread = 0;
    const asynchronous = typeof index.searchAsync === 'function';
    for (let q = 0; q < queries; q++) {
      const query = sample();
      let t = performance.now();
      const a = index.search(query, 10, allowed);
      approx.push(performance.now() - t);
      t = performance.now();
      const e = index.search(query, 10, allowed, true);
      exact.push(performance.now() - t);
      const truth = new Set(e.map((r) => r.item));
      found += a.filter((r) => truth.has(r.item)).length / Math.max(1, truth.size);
      if (asynchronous) {
        // searchAsync: wall time to the answer, and the part of it spent on the calling thread (until
        // the promise is handed back), which is what holds the event loop.
        t = performance.now();
        const pending = index.searchAsync(query, 10, allowed);
        onLoop.push(performance.now() - t);
        const w = await pending;
        offThread.push(performance.now() - t);
        foundOffThread += w.filter((r) => truth.has(r.item)).length / Math.max(1, truth.size);
      }
    }
    for (const list of [approx, exact, offThread, onLoop]) list.sort((x, y) => x - y);
    const ms = (list, p) => +percentile(list, p).toFixed(2);
    const row = {
      shape,
      vectors: size,
      ingestPerSec: Math.round(ingest),
      ...(after && before ? { memoryMB: Math.round((after - before) / 1e6) } : {}),
      annP50ms: ms(approx, 50),
      annP95ms: ms(approx, 95),
      exactP50ms: ms(exact, 50),
      exactP95ms: ms(exact, 95),
      recallAt10: +(found / queries).toFixed(3),
      ...(asynchronous
        ? { asyncP50ms: ms(offThread, 50), asyncP95ms: ms(offThread, 95), asyncOnLoopP95ms: ms(onLoop, 95), asyncRecallAt10: +(foundOffThread / queries).toFixed(3) }
        : {}),
    };
    console.log(
      `ann 1024-d ${shape.padEnd(9)} ${String(size).padStart(7)} vectors  ingest ${row.ingestPerSec}/s  approximate p50 ${row.annP50ms} ms p95 ${row.annP95ms} ms  ` +
        `exact p50 ${row.exactP50ms} ms p95 ${row.exactP95ms} ms (ratio p95 ${(row.exactP95ms / row.annP95ms).toFixed(1)}x)  recall@10 ${row.recallAt10}` +
        (row.memoryMB === undefined ? '' : `  ~${row.memoryMB} MB`) +
        (asynchronous
          ? `\n    searchAsync p50 ${row.asyncP50ms} ms p95 ${row.asyncP95ms} ms (on the event loop: p95 ${row.asyncOnLoopP95ms} ms)  recall@10 ${row.asyncRecallAt10}`
          : ''),
    );
    rows.push(row);
  }
  return rows;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const fixture = loadFixture();

  const quality = opts.quality ? await measureQuality(opts) : [];
  const ann = opts.ann ? await measureAnn(opts.sizes) : [];
  if (!opts.scale) {
    console.log(`BENCH_RESULT ${JSON.stringify({ quality, ann })}`);
    return;
  }

  const sparse = () => new DeterministicEmbedder({ tokens: 'terms' });
  const runs = [
    { label: 'offline (sparse)', make: sparse, restricted: false },
    { label: 'offline, 50% behind group ACL', make: sparse, restricted: true },
  ];
  if (opts.dense) runs.push({ label: 'dense 1024-d', make: () => new DenseNoiseEmbedder(), restricted: false });
  const rows = [];
  for (const run of runs) {
    for (const size of opts.sizes) {
      const row = await measureCorpus({ label: run.label, embedder: run.make(), restricted: run.restricted }, size, fixture, opts.rounds);
      rows.push(row);
      console.log(
        `${run.label.padEnd(30)} ${String(row.chunks).padStart(7)} chunks  ingest ${String(row.ingestChunksPerSec).padStart(6)} chunks/s  ` +
          `query p50 ${row.p50ms.toFixed(2)} ms  p95 ${row.p95ms.toFixed(2)} ms  max ${row.maxMs.toFixed(2)} ms` +
          (row.memoryMB === undefined ? '' : `  ~${row.memoryMB} MB`),
      );
    }
  }
  console.log(`BENCH_RESULT ${JSON.stringify({ quality, ann, rows })}`);
}

await main();
