#!/usr/bin/env node
// Hybrid search latency of the knowledge store on each storage backend (dist/, so `npm run build` first).
//
// For every backend: ingest the help-center fixture (test/fixtures/helpcenter) plus synthetic documents
// until there are about `--chunks` chunks (fixture sentences with a third of the words replaced by an
// invented Zipf vocabulary, ten ~300-character paragraphs per document, half of the documents behind a
// group ACL), then ask the 90 fixture questions `--rounds` times with limit 3 (what auto-context asks
// for) as an anonymous visitor and as a member of the group. Reports ingestion chunks/s, recall@3 of the
// fixture questions, and p50/p95 query latency. Offline deterministic embedder throughout.
//
//   memory    MemoryKnowledge in this process
//   pglite    SqlKnowledge on PGlite (pgvector) in a temp directory, in this process
//   postgres  SqlKnowledge on a fresh database of SMOOTH_AGENT_TEST_PG_URL's server (dropped afterwards)
//   dynamodb  DynamoKnowledge on dynalite (in-memory DynamoDB on loopback), via the real AWS SDK
//
// Usage: node bench/knowledge-backends.mjs [--backends memory,pglite,postgres,dynamodb] [--chunks 10000] [--rounds 2]
import { performance } from 'node:perf_hooks';
import { inventedVocabulary, loadFixture, percentile, rng } from './helpcenter-corpus.mjs';
import { DeterministicEmbedder } from '../dist/knowledge/index.js';
import { openBackend } from './retrieval-backends.mjs';

const ORG = 'bench';
const ANONYMOUS = { organizationId: ORG, groups: [] };
const MEMBER = { organizationId: ORG, userId: 'bench-user', groups: ['staff'] };
const LIMIT = 3;
const BATCH = 50;

function parseArgs(argv) {
  const opts = { backends: ['memory', 'pglite', 'postgres', 'dynamodb'], chunks: 10_000, rounds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--backends') opts.backends = String(argv[++i]).split(',');
    else if (arg === '--chunks') opts.chunks = Number(argv[++i]);
    else if (arg === '--rounds') opts.rounds = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  return opts;
}

function syntheticDocuments(fixtureDocs, count) {
  const random = rng(42);
  const word = inventedVocabulary(random, 60_000);
  const sentences = fixtureDocs.flatMap((d) => d.content.replace(/^#.*$/gm, '').split(/(?<=[.!?])\s+/).filter((s) => s.trim().length > 20));
  const paragraph = () => {
    let text = '';
    while (text.length < 260) text += `${sentences[Math.floor(random() * sentences.length)].split(' ').map((w) => (random() < 0.33 ? word() : w)).join(' ')} `;
    return text.slice(0, 300).trim();
  };
  return Array.from({ length: count }, (_, i) => ({
    id: `synthetic/${i}`,
    source: `synthetic/${i}.md`,
    content: Array.from({ length: 10 }, paragraph).join('\n\n'),
    ...(i % 2 === 0 ? { acl: { public: false, users: [], groups: ['staff'] } } : {}),
  }));
}


async function measure(name, fixture, synthetic, rounds) {
  const { kb, close } = await openBackend(name, { embedder: new DeterministicEmbedder({ tokens: 'terms' }) });
  try {
    let chunks = 0;
    const started = performance.now();
    const all = [...fixture.documents, ...synthetic];
    for (let i = 0; i < all.length; i += BATCH) for (const d of await kb.upsert(ORG, all.slice(i, i + BATCH))) chunks += d.chunkCount;
    const ingestSeconds = (performance.now() - started) / 1000;
    let found = 0;
    for (const q of fixture.questions) if ((await kb.search(q.question, { access: ANONYMOUS, limit: LIMIT })).some((h) => h.documentId === q.expectedDoc)) found++;
    const rows = [];
    for (const [caller, access] of [['anonymous', ANONYMOUS], ['group member', MEMBER]]) {
      const latencies = [];
      for (let r = 0; r < rounds; r++) {
        for (const q of fixture.questions) {
          const t = performance.now();
          await kb.search(q.question, { access, limit: LIMIT });
          latencies.push(performance.now() - t);
        }
      }
      latencies.sort((a, b) => a - b);
      rows.push({
        backend: name,
        caller,
        chunks,
        ingestChunksPerSec: Math.round(chunks / ingestSeconds),
        recallAt3: +(found / fixture.questions.length).toFixed(3),
        p50ms: +percentile(latencies, 50).toFixed(2),
        p95ms: +percentile(latencies, 95).toFixed(2),
      });
    }
    return rows;
  } finally {
    await close();
  }
}

const opts = parseArgs(process.argv.slice(2));
const fixture = loadFixture();
const synthetic = syntheticDocuments(fixture.documents, Math.ceil(opts.chunks / 10));
const rows = [];
for (const backend of opts.backends) {
  try {
    rows.push(...(await measure(backend, fixture, synthetic, opts.rounds)));
  } catch (err) {
    process.stderr.write(`${backend}: ${err.message}\n`);
  }
  console.table(rows);
}
