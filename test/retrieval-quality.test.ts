import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeterministicEmbedder, MemoryKnowledge, type KnowledgeDocumentInput, type MemoryKnowledgeOptions } from '../src/knowledge/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'helpcenter');
const ORG = 'nimbra';
const K = 3;

interface Question {
  question: string;
  expectedDoc: string;
}

function loadDocuments(): KnowledgeDocumentInput[] {
  return readdirSync(join(FIXTURES, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => {
      const content = readFileSync(join(FIXTURES, 'docs', file), 'utf8');
      const title = /^# (.+)$/m.exec(content)?.[1];
      return { id: file, source: `help/${file}`, content, ...(title ? { title } : {}) };
    });
}

const documents = loadDocuments();
const questions = JSON.parse(readFileSync(join(FIXTURES, 'questions.json'), 'utf8')) as Question[];

async function recallAtK(options: MemoryKnowledgeOptions): Promise<{ recall: number; misses: string[] }> {
  const kb = new MemoryKnowledge(options);
  await kb.upsert(ORG, documents);
  const misses: string[] = [];
  for (const { question, expectedDoc } of questions) {
    const hits = await kb.search(question, { access: { organizationId: ORG, groups: [] }, limit: K });
    if (!hits.some((h) => h.documentId === expectedDoc)) {
      misses.push(`  ${JSON.stringify(question)} → [${hits.map((h) => h.documentId).join(', ')}], wanted ${expectedDoc}`);
    }
  }
  return { recall: (questions.length - misses.length) / questions.length, misses };
}

describe('retrieval quality on the help-center fixture', () => {
  it('has a corpus big and varied enough to mean something', () => {
    expect(documents.length).toBeGreaterThanOrEqual(40);
    expect(questions.length).toBeGreaterThanOrEqual(60);
    const ids = new Set(documents.map((d) => d.id));
    expect(questions.filter((q) => !ids.has(q.expectedDoc))).toEqual([]);
  });

  it(`finds the expected article in the top ${K} for at least 85% of questions (offline embedder)`, async () => {
    const { recall, misses } = await recallAtK({});
    const lexical = await recallAtK({ reranker: 'lexical' });
    // The reference-exact raw hashing, shown for comparison: stop words dominate its vectors.
    const raw = await recallAtK({ embedder: new DeterministicEmbedder() });
    console.log(
      [
        `recall@${K} over ${questions.length} questions / ${documents.length} docs:`,
        `  hybrid (BM25 + deterministic-v1:terms), no rerank: ${recall.toFixed(3)}`,
        `  same, lexical rerank:                              ${lexical.recall.toFixed(3)}`,
        `  hybrid with raw deterministic-v1:                  ${raw.recall.toFixed(3)}`,
        `misses (default configuration):`,
        ...misses,
      ].join('\n'),
    );
    expect(recall).toBeGreaterThanOrEqual(0.85);
  });
});
