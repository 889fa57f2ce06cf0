import { createHash, randomUUID } from 'node:crypto';
import { chunkText } from './chunk-text.js';
import type { Knowledge } from './knowledge.js';
import { terms } from './text-analysis.js';
import type { KnowledgeDocument, KnowledgeDocumentInput, KnowledgeHit, SearchOptions } from './types.js';

interface IndexedChunk {
  documentId: string;
  chunkId: string;
  text: string;
  termFreq: Map<string, number>;
  length: number;
}

interface OrgIndex {
  documents: Map<string, KnowledgeDocument>;
  chunks: Map<string, IndexedChunk[]>;
}

const K1 = 1.2;
const B = 0.75;

/** In-memory BM25 over chunks, partitioned by organization so one tenant's documents never rank for another. */
export class MemoryKnowledge implements Knowledge {
  private readonly orgs = new Map<string, OrgIndex>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private org(organizationId: string): OrgIndex {
    let index = this.orgs.get(organizationId);
    if (!index) {
      index = { documents: new Map(), chunks: new Map() };
      this.orgs.set(organizationId, index);
    }
    return index;
  }

  async upsert(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<KnowledgeDocument[]> {
    const index = this.org(organizationId);
    const stored: KnowledgeDocument[] = [];
    for (const input of inputs) {
      const id = input.id ?? randomUUID();
      const texts = chunkText(input.content);
      const doc: KnowledgeDocument = {
        id,
        organizationId,
        source: input.source,
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.url !== undefined ? { url: input.url } : {}),
        content: input.content,
        documentSets: [...(input.documentSets ?? [])],
        ...(input.acl ? { acl: structuredClone(input.acl) } : {}),
        metadata: { ...(input.metadata ?? {}) },
        contentHash: createHash('sha256').update(input.content).digest('hex'),
        chunkCount: texts.length,
        updatedAt: this.now().toISOString(),
      };
      index.documents.set(id, doc);
      index.chunks.set(
        id,
        texts.map((text, n) => {
          const tokens = terms(text);
          const termFreq = new Map<string, number>();
          for (const t of tokens) termFreq.set(t, (termFreq.get(t) ?? 0) + 1);
          return { documentId: id, chunkId: `${id}#${n}`, text, termFreq, length: tokens.length };
        }),
      );
      stored.push(structuredClone(doc));
    }
    return stored;
  }

  async search(query: string, options: SearchOptions): Promise<KnowledgeHit[]> {
    const index = this.orgs.get(options.access.organizationId);
    const queryTerms = [...new Set(terms(query))];
    if (!index || queryTerms.length === 0 || options.limit <= 0) return [];
    const chunks = [...index.chunks.values()].flat();
    if (chunks.length === 0) return [];
    const avgLength = chunks.reduce((sum, c) => sum + c.length, 0) / chunks.length || 1;
    const docFreq = new Map<string, number>();
    for (const term of queryTerms) {
      docFreq.set(term, chunks.filter((c) => c.termFreq.has(term)).length);
    }
    const scored: Array<{ chunk: IndexedChunk; score: number }> = [];
    for (const chunk of chunks) {
      let score = 0;
      for (const term of queryTerms) {
        const tf = chunk.termFreq.get(term) ?? 0;
        if (tf === 0) continue;
        const df = docFreq.get(term) ?? 0;
        const idf = Math.log(1 + (chunks.length - df + 0.5) / (df + 0.5));
        score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * chunk.length) / avgLength));
      }
      if (score > 0) scored.push({ chunk, score });
    }
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(0, options.limit).map(({ chunk, score }) => {
      const doc = index.documents.get(chunk.documentId);
      return {
        documentId: chunk.documentId,
        chunkId: chunk.chunkId,
        source: doc?.source ?? chunk.documentId,
        ...(doc?.title !== undefined ? { title: doc.title } : {}),
        ...(doc?.url !== undefined ? { url: doc.url } : {}),
        text: chunk.text,
        score,
      };
    });
  }

  async get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined> {
    const doc = this.orgs.get(organizationId)?.documents.get(id);
    return doc && structuredClone(doc);
  }

  async list(organizationId: string): Promise<KnowledgeDocument[]> {
    return [...(this.orgs.get(organizationId)?.documents.values() ?? [])].map((d) => structuredClone(d));
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const index = this.orgs.get(organizationId);
    if (!index?.documents.has(id)) return false;
    index.documents.delete(id);
    index.chunks.delete(id);
    return true;
  }
}
