import { DeterministicEmbedder } from './deterministic-embedder.js';
import { DocumentFilter } from './document-filter.js';
import { assertSameEmbeddingSpace, checkEmbeddings, embeddingSpaceOf, type Embedder, type EmbeddingSpace } from './embedder.js';
import type { DocumentChunk } from './chunk-text.js';
import { DEFAULT_WEIGHTS, fieldTerms, rankCandidates, type Candidate, type ChunkFields, type FieldName, type FieldTerms, type PartitionStats, type RankingWeights } from './field-ranking.js';
import { KeywordIndex } from './keyword-index.js';
import type { Knowledge } from './knowledge.js';
import { SNAPSHOT_FORMAT, type MemoryKnowledgeSnapshot } from './memory-snapshot.js';
import { defaultAnalyzer, denseByDefault, type QueryAnalyzer } from './retrieval-defaults.js';
import { candidatesFor, rerankCandidates } from './ranking-steps.js';
import { LexicalReranker, type Reranker } from './reranker.js';
import type {
  KnowledgeDocument,
  KnowledgeDocumentInput,
  KnowledgeHit,
  SearchOptions,
  UpsertedDocument,
} from './types.js';
import { planUpsert, upsertedDocument, type UpsertPlan } from './upsert-plan.js';
import { VectorIndex } from './vector-index.js';

export interface MemoryKnowledgeOptions {
  /**
   * Dense-arm embedder. Defaults to the offline `DeterministicEmbedder` (1024 dims) over analysed
   * terms; set a `GatewayEmbedder` for semantic recall.
   */
  embedder?: Embedder;
  /** Applied after fusion to every search; `off` (default) keeps the fused order. */
  reranker?: 'off' | 'lexical' | Reranker;
  /** Told when a reranker fails and the fused order is served instead. */
  onRerankError?: (error: unknown) => void;
  now?: () => Date;
  /** How queries are analysed and ranked (query expansion, field weights, the dense arm). */
  retrieval?: RetrievalOptions;
}

/** The ranking configuration every store shares; the defaults are what the evaluation sets rewarded. */
export interface RetrievalOptions {
  /** Query analysis and expansion; the default support-synonym list when absent. */
  analyzer?: QueryAnalyzer;
  /**
   * Fuse the dense (embedding) arm. Default: on for a model embedder, off for the offline hashing
   * one, whose bag of hashed stems repeats the keyword arm and cost recall on the blind set.
   */
  dense?: boolean;
  weights?: RankingWeights;
}

/** A document and its chunks, in order, as `MemoryKnowledge.load` takes them. */
export interface LoadedDocument {
  document: KnowledgeDocument;
  /** A chunk without a vector embedded to zero and is found by keyword only. */
  chunks: Array<{ text: string; headings?: string[]; vector?: Float32Array }>;
}

interface DocumentEntry {
  document: KnowledgeDocument;
  chunks: ChunkEntry[];
  /** Small integer naming the document inside the indexes and the filter; reused after deletion. */
  ordinal: number;
  title: FieldTerms;
  /** Summed heading and body lengths of the chunks, for the partition statistics. */
  headingLength: number;
  bodyLength: number;
}

interface ChunkEntry {
  // The owning entry, not a copy, so relabelling a document (new ACL, same text) reaches its chunks.
  owner: DocumentEntry;
  chunkId: string;
  text: string;
  headings: string[];
  headingTerms: FieldTerms;
  bodyTerms: FieldTerms;
}

interface OrgIndex {
  documents: Map<string, DocumentEntry>;
  byOrdinal: Array<DocumentEntry | undefined>;
  freeOrdinals: number[];
  filter: DocumentFilter;
  keyword: KeywordIndex<ChunkEntry>;
  vectors: VectorIndex<ChunkEntry>;
}

/**
 * In-memory hybrid retrieval: BM25 over stemmed terms fused (RRF) with cosine over chunk embeddings,
 * then an optional rerank. Partitioned by organization; ACL and document-set filters run inside both
 * arms before scoring.
 */
export class MemoryKnowledge implements Knowledge {
  private readonly orgs = new Map<string, OrgIndex>();
  private readonly embedder: Embedder;
  private readonly reranker: Reranker | undefined;
  private readonly onRerankError: ((error: unknown) => void) | undefined;
  private readonly now: () => Date;
  private readonly analyzer: QueryAnalyzer;
  private readonly dense: boolean;
  private readonly weights: RankingWeights;
  private space: EmbeddingSpace | undefined;
  // Writes run one at a time: an upsert plans against the stored state, then awaits the embedder, and
  // a write landing in between would make that plan stale (e.g. relabel a document whose text changed).
  private writes: Promise<unknown> = Promise.resolve();

  /** A bare clock function is still accepted, as `new MemoryKnowledge(now)` predates the options. */
  constructor(options: MemoryKnowledgeOptions | (() => Date) = {}) {
    const opts = typeof options === 'function' ? { now: options } : options;
    this.embedder = opts.embedder ?? new DeterministicEmbedder({ tokens: 'terms' });
    const reranker = opts.reranker ?? 'off';
    this.reranker = reranker === 'off' ? undefined : reranker === 'lexical' ? new LexicalReranker() : reranker;
    this.onRerankError = opts.onRerankError;
    this.now = opts.now ?? (() => new Date());
    this.analyzer = opts.retrieval?.analyzer ?? defaultAnalyzer();
    this.dense = opts.retrieval?.dense ?? denseByDefault(this.embedder);
    this.weights = opts.retrieval?.weights ?? DEFAULT_WEIGHTS;
  }

  /** Rebuilds a store from `snapshot()`; throws `EmbedderMismatchError` if it was embedded differently. */
  static restore(snapshot: MemoryKnowledgeSnapshot, options: MemoryKnowledgeOptions = {}): MemoryKnowledge {
    if (snapshot.format !== SNAPSHOT_FORMAT) {
      throw new Error(`unsupported knowledge snapshot format ${JSON.stringify(snapshot.format)}; expected ${SNAPSHOT_FORMAT}`);
    }
    const documents = snapshot.documents.map(({ document, chunks }) => ({
      document: structuredClone(document),
      chunks: chunks.map((c) => ({ text: c.text, ...(c.headings ? { headings: [...c.headings] } : {}), ...(c.vector ? { vector: Float32Array.from(c.vector) } : {}) })),
    }));
    return MemoryKnowledge.load(snapshot.embedding, documents, options);
  }

  /**
   * Builds a store from documents whose chunks were already embedded in `space` (a snapshot, or a
   * durable backend's records), taking ownership of them; throws `EmbedderMismatchError` if `space`
   * is not the configured embedder's.
   */
  static load(space: EmbeddingSpace | undefined, documents: Iterable<LoadedDocument>, options: MemoryKnowledgeOptions = {}): MemoryKnowledge {
    const kb = new MemoryKnowledge(options);
    assertSameEmbeddingSpace(space, kb.embedder);
    kb.space = space && { ...space };
    for (const { document, chunks } of documents) {
      kb.commit(
        kb.org(document.organizationId),
        document,
        chunks.map((c) => ({ text: c.text, headings: c.headings ?? [] })),
        chunks.map((c) => c.vector),
      );
    }
    return kb;
  }

  /** The embedding space of the stored vectors, once anything has been embedded. */
  get embeddingSpace(): EmbeddingSpace | undefined {
    return this.space && { ...this.space };
  }

  snapshot(): MemoryKnowledgeSnapshot {
    const documents: MemoryKnowledgeSnapshot['documents'] = [];
    for (const org of this.orgs.values()) {
      const vectors = org.vectors.vectors();
      for (const entry of org.documents.values()) {
        documents.push({
          document: structuredClone(entry.document),
          chunks: entry.chunks.map((c) => {
            const vector = vectors.get(c);
            return { text: c.text, headings: [...c.headings], ...(vector ? { vector: Array.from(vector) } : {}) };
          }),
        });
      }
    }
    return { format: SNAPSHOT_FORMAT, ...(this.space ? { embedding: { ...this.space } } : {}), documents };
  }

  private org(organizationId: string): OrgIndex {
    let index = this.orgs.get(organizationId);
    if (!index) {
      index = {
        documents: new Map(),
        byOrdinal: [],
        freeOrdinals: [],
        filter: new DocumentFilter(),
        keyword: new KeywordIndex(),
        vectors: new VectorIndex(this.embedder.dimensions),
      };
      this.orgs.set(organizationId, index);
    }
    return index;
  }

  upsert(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    return this.exclusive(() => this.upsertNow(organizationId, inputs));
  }

  private exclusive<R>(write: () => Promise<R>): Promise<R> {
    const result = this.writes.then(write);
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async upsertNow(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    const updatedAt = this.now().toISOString();
    const existing = this.orgs.get(organizationId)?.documents;
    // Later inputs with the same id compare against earlier ones in the batch, as sequential upserts would.
    const planned = new Map<string, KnowledgeDocument>();
    const plans: UpsertPlan[] = inputs.map((input) => {
      const previous = input.id === undefined ? undefined : (planned.get(input.id) ?? existing?.get(input.id)?.document);
      const plan = planUpsert(organizationId, input, previous, updatedAt);
      planned.set(plan.document.id, plan.document);
      return plan;
    });

    // One embed call for the whole batch, before anything is committed: a failure leaves the store as it was.
    const texts = plans.flatMap((p) => (p.kind === 'reindex' ? p.texts : []));
    const vectors = texts.length > 0 ? checkEmbeddings(this.embedder, texts.length, await this.embedder.embed(texts)) : [];
    if (texts.length > 0) this.space ??= embeddingSpaceOf(this.embedder);

    const index = this.org(organizationId);
    let offset = 0;
    return plans.map((plan) => {
      if (plan.kind === 'unchanged') return upsertedDocument(plan);
      if (plan.kind === 'relabel') {
        const entry = index.documents.get(plan.document.id)!;
        const retitled = entry.document.title !== plan.document.title;
        entry.document = plan.document;
        index.filter.set(entry.ordinal, plan.document.acl, plan.document.documentSets);
        if (retitled) this.retitle(index, entry);
      } else {
        const own = vectors.slice(offset, offset + plan.texts.length);
        offset += plan.texts.length;
        this.commit(index, plan.document, plan.chunks, own);
      }
      return upsertedDocument(plan);
    });
  }

  private commit(index: OrgIndex, document: KnowledgeDocument, chunks: readonly DocumentChunk[], vectors: Array<Float32Array | undefined>): void {
    this.unindex(index, document.id);
    // Dead index slots keep a stale ordinal but are skipped before the filter, so reuse is safe.
    const ordinal = index.freeOrdinals.pop() ?? index.byOrdinal.length;
    const entry: DocumentEntry = { document, chunks: [], ordinal, title: fieldTerms(document.title ?? ''), headingLength: 0, bodyLength: 0 };
    entry.chunks = chunks.map(({ text, headings }, n) => {
      const chunk: ChunkEntry = {
        owner: entry,
        chunkId: `${document.id}#${n}`,
        text,
        headings: [...headings],
        headingTerms: fieldTerms(headings.join('\n')),
        bodyTerms: fieldTerms(text),
      };
      this.indexKeywords(index, chunk);
      entry.headingLength += chunk.headingTerms.length;
      entry.bodyLength += chunk.bodyTerms.length;
      const vector = vectors[n];
      if (vector) index.vectors.add(chunk, ordinal, vector);
      return chunk;
    });
    index.documents.set(document.id, entry);
    index.byOrdinal[ordinal] = entry;
    index.filter.set(ordinal, document.acl, document.documentSets);
  }

  /** Candidate generation indexes every field's terms of a chunk together. */
  private indexKeywords(index: OrgIndex, chunk: ChunkEntry): void {
    const fields = fieldsOf(chunk);
    const termFreq = new Map<string, number>();
    let length = 0;
    for (const field of [fields.title, fields.headings, fields.body]) {
      for (const [t, n] of field.tf) termFreq.set(t, (termFreq.get(t) ?? 0) + n);
      length += field.length;
    }
    index.keyword.add(chunk, chunk.owner.ordinal, termFreq, length);
  }

  private retitle(index: OrgIndex, entry: DocumentEntry): void {
    entry.title = fieldTerms(entry.document.title ?? '');
    for (const chunk of entry.chunks) this.indexKeywords(index, chunk);
  }

  /** Chunk count and summed field lengths of every document the caller may read. */
  private partitionStats(index: OrgIndex, allowed: Uint8Array): PartitionStats & { totalLength: number } {
    let chunks = 0;
    const sums: Record<FieldName, number> = { title: 0, headings: 0, body: 0 };
    for (let o = 0; o < allowed.length; o++) {
      if (allowed[o] !== 1) continue;
      const entry = index.byOrdinal[o];
      if (!entry) continue;
      chunks += entry.chunks.length;
      sums.title += entry.title.length * entry.chunks.length;
      sums.headings += entry.headingLength;
      sums.body += entry.bodyLength;
    }
    const frequencies = new Map<string, number>();
    return {
      chunks,
      totalLength: sums.title + sums.headings + sums.body,
      averageLength: { title: sums.title / (chunks || 1), headings: sums.headings / (chunks || 1), body: sums.body / (chunks || 1) },
      documentFrequency: (term) => {
        let df = frequencies.get(term);
        if (df === undefined) {
          df = index.keyword.documentFrequency(term, allowed);
          frequencies.set(term, df);
        }
        return df;
      },
    };
  }

  private unindex(index: OrgIndex, id: string): boolean {
    const entry = index.documents.get(id);
    if (!entry) return false;
    for (const chunk of entry.chunks) {
      index.keyword.remove(chunk);
      index.vectors.remove(chunk);
    }
    index.documents.delete(id);
    index.byOrdinal[entry.ordinal] = undefined;
    index.filter.clear(entry.ordinal);
    index.freeOrdinals.push(entry.ordinal);
    return true;
  }

  async search(query: string, options: SearchOptions): Promise<KnowledgeHit[]> {
    const limit = Math.floor(options.limit);
    // An organization without documents is answered before the query is analysed (the speller's
    // dictionary loads on first use) or embedded.
    if (!((this.orgs.get(options.access.organizationId)?.documents.size ?? 0) > 0) || !(limit > 0)) return [];
    const queryTerms = this.analyzer.analyze(query);
    // A query of only stop words has nothing to look for; the dense arm would just match "the".
    if (queryTerms.length === 0) return [];
    const queryVector = this.dense ? checkEmbeddings(this.embedder, 1, await this.embedder.embed([query], options.signal))[0] : undefined;
    // Looked up again after the await: an upsert or delete may have run meanwhile.
    const index = this.orgs.get(options.access.organizationId);
    if (!index) return [];

    const allowed = index.filter.admissible(options.access, options.documentSets, index.byOrdinal.length);
    const stats = this.partitionStats(index, allowed);
    const n = candidatesFor(limit);
    // Ranking-only terms score the candidates but do not find them (see `WeightedTerm.rankingOnly`).
    const weighted = new Map(queryTerms.filter((t) => !t.rankingOnly).map((t) => [t.term, t.weight]));
    const candidates = new Map<ChunkEntry, Candidate<ChunkEntry>>();
    const candidate = (chunk: ChunkEntry) => {
      let c = candidates.get(chunk);
      if (!c) {
        c = { item: chunk, documentId: chunk.owner.document.id, fields: fieldsOf(chunk) };
        candidates.set(chunk, c);
      }
      return c;
    };
    const keywordStats = { count: stats.chunks, averageLength: stats.totalLength / (stats.chunks || 1), documentFrequency: stats.documentFrequency };
    // Started first: a large dense scan runs in a worker thread meanwhile (see VectorIndex.searchAsync).
    const dense = queryVector && index.vectors.searchAsync(queryVector, n, allowed);
    for (const { item } of index.keyword.search(weighted, n, allowed, keywordStats)) candidate(item);
    if (dense) for (const { item, score } of await dense) candidate(item).dense = score;
    // The keyword candidates were taken before that await: a delete or re-upsert meanwhile leaves
    // chunks whose document is gone or replaced, and those are no longer knowledge.
    const current = dense ? [...candidates.values()].filter((c) => index.documents.get(c.documentId) === c.item.owner) : [...candidates.values()];
    const ranked = rankCandidates(queryTerms, current, stats, n, this.weights);
    const step = { reranker: this.reranker, onRerankError: this.onRerankError };
    const confidence = new Map(ranked.map((r) => [r.item, r.confidence]));
    const reranked = await rerankCandidates(step, query, ranked, (c) => c.text, limit, options.signal);
    const floor = options.minConfidence ?? 0;
    return reranked
      .slice(0, limit)
      .filter(({ item }) => (confidence.get(item) ?? 0) >= floor)
      .map(({ item, score }) => toHit(item, score, confidence.get(item) ?? 0));
  }

  async get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined> {
    const entry = this.orgs.get(organizationId)?.documents.get(id);
    return entry && structuredClone(entry.document);
  }

  async list(organizationId: string): Promise<KnowledgeDocument[]> {
    return [...(this.orgs.get(organizationId)?.documents.values() ?? [])].map((e) => structuredClone(e.document));
  }

  delete(organizationId: string, id: string): Promise<boolean> {
    return this.exclusive(async () => {
      const index = this.orgs.get(organizationId);
      return index ? this.unindex(index, id) : false;
    });
  }
}

function fieldsOf(chunk: ChunkEntry): ChunkFields {
  return { title: chunk.owner.title, headings: chunk.headingTerms, body: chunk.bodyTerms };
}

function toHit(chunk: ChunkEntry, score: number, confidence: number): KnowledgeHit {
  const doc = chunk.owner.document;
  return {
    documentId: doc.id,
    chunkId: chunk.chunkId,
    source: doc.source,
    ...(doc.title !== undefined ? { title: doc.title } : {}),
    ...(doc.url !== undefined ? { url: doc.url } : {}),
    text: chunk.text,
    ...(chunk.headings.length > 0 ? { headings: [...chunk.headings] } : {}),
    score,
    confidence,
  };
}
