import { assertMigrated, migrate } from '../../storage/sql/migrate.js';
import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import { checkEmbeddings, type Embedder } from '../embedder.js';
import type { Knowledge } from '../knowledge.js';
import { candidatesFor, rerankCandidates, type RerankStep } from '../ranking-steps.js';
import { LexicalReranker, type Reranker } from '../reranker.js';
import { DEFAULT_WEIGHTS, rankCandidates, type RankingWeights } from '../field-ranking.js';
import type { RetrievalOptions } from '../memory-knowledge.js';
import { defaultAnalyzer, denseByDefault, type QueryAnalyzer } from '../retrieval-defaults.js';
import type { KnowledgeDocument, KnowledgeDocumentInput, KnowledgeHit, SearchOptions, UpsertedDocument } from '../types.js';
import { planUpsert, upsertedDocument, type UpsertPlan } from '../upsert-plan.js';
import { toDocument, type DocumentRow } from './document-rows.js';
import { ensureEmbeddingSpace } from './embedding-space.js';
import { hybridSearch, type ChunkCandidate } from './hybrid-search.js';
import { knowledgeMigrations } from './knowledge-schema.js';
import { knowledgeSchemaError } from './schema-errors.js';
import { TableStatistics } from './statistics.js';
import { vectorText } from './vector-text.js';
import { assertUnchangedSince, StalePlanError, writePlan } from './write-documents.js';

export interface SqlKnowledgeOptions {
  /** Fixes the width of the vector column and the recorded embedding space. */
  embedder: Embedder;
  reranker?: 'off' | 'lexical' | Reranker;
  onRerankError?: (error: unknown) => void;
  now?: () => Date;
  /** `apply` (default) migrates the `knowledge` track; `verify` only checks it is current. */
  schema?: 'apply' | 'verify';
  /** Told when refreshing the planner's statistics after a bulk write fails (searches still work). */
  onStatisticsError?: (error: unknown) => void;
  /** How queries are analysed and ranked; the same options, and defaults, as the memory store's. */
  retrieval?: RetrievalOptions;
}

/** Postgres SQLSTATE for a deadlock; the loser retries like a stale plan. */
const DEADLOCK = '40P01';
const MAX_ATTEMPTS = 5;

/** Organizations remembered as holding documents; past this many the set starts over (they are asked again). */
const MAX_POPULATED = 10_000;

function isRetryable(err: unknown): boolean {
  return err instanceof StalePlanError || (err as { code?: unknown } | null)?.code === DEADLOCK;
}

/**
 * Hybrid retrieval on Postgres or PGlite (the same SQL): full-text (`tsvector`, GIN) and cosine
 * (pgvector, HNSW) arms, each filtered by organization, ACL and document sets inside the scan, fused
 * with RRF, then the optional rerank. Documents and chunks are replaced in one transaction; a plan
 * made against rows another writer has since changed is made again.
 */
export class SqlKnowledge implements Knowledge {
  private readonly rerank: RerankStep;
  private readonly now: () => Date;
  private readonly statistics: TableStatistics;
  private readonly analyzer: QueryAnalyzer;
  private readonly dense: boolean;
  private readonly weights: RankingWeights;
  // Writes from this process run one at a time, so they never make each other's plans stale.
  private writes: Promise<unknown> = Promise.resolve();
  /**
   * Organizations seen holding documents. Only "has documents" is remembered, never "has none": any
   * replica may write the first document at any moment, so an organization not in here is asked
   * again (one primary-key probe) on each search. A remembered organization whose documents were all
   * deleted elsewhere just runs a search that finds nothing.
   */
  private readonly populated = new Set<string>();

  private constructor(
    private readonly db: SqlDatabase,
    private readonly embedder: Embedder,
    options: SqlKnowledgeOptions,
  ) {
    const reranker = options.reranker ?? 'off';
    this.rerank = {
      reranker: reranker === 'off' ? undefined : reranker === 'lexical' ? new LexicalReranker() : reranker,
      onRerankError: options.onRerankError,
    };
    this.now = options.now ?? (() => new Date());
    this.statistics = new TableStatistics(db, options.onStatisticsError);
    this.analyzer = options.retrieval?.analyzer ?? defaultAnalyzer();
    this.dense = options.retrieval?.dense ?? denseByDefault(embedder);
    this.weights = options.retrieval?.weights ?? DEFAULT_WEIGHTS;
  }

  /**
   * Prepares the `knowledge` track on `db` (the storage's own handle: one PGlite directory admits one
   * instance) and checks the embedding space. Throws `EmbedderMismatchError` when the stored vectors
   * come from another embedder, and `StorageSetupError` when pgvector is missing.
   */
  static async open(db: SqlDatabase, options: SqlKnowledgeOptions): Promise<SqlKnowledge> {
    const track = knowledgeMigrations({ embedderId: options.embedder.id, dimensions: options.embedder.dimensions });
    const apply = (options.schema ?? 'apply') === 'apply';
    try {
      if (apply) await migrate(db, track);
      else await assertMigrated(db, track);
    } catch (err) {
      throw knowledgeSchemaError(db.label, err);
    }
    await ensureEmbeddingSpace(db, options.embedder, apply);
    const knowledge = new SqlKnowledge(db, options.embedder, options);
    await knowledge.statistics.refreshIfNeverAnalyzed();
    return knowledge;
  }

  upsert(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    const result = this.writes.then(() => this.upsertWithRetry(organizationId, inputs));
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async upsertWithRetry(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    const updatedAt = this.now().toISOString();
    // Chunk text → vector text, kept across attempts so a retry embeds only what it has not seen.
    const vectors = new Map<string, string | null>();
    for (let attempt = 1; ; attempt++) {
      const read = await this.readForPlanning(organizationId, inputs);
      const planned = new Map<string, KnowledgeDocument>();
      // Later inputs with the same id plan against earlier ones in the batch, as sequential upserts would.
      const plans = inputs.map((input) => {
        const previous = input.id === undefined ? undefined : (planned.get(input.id) ?? read.documents.get(input.id));
        const plan = planUpsert(organizationId, input, previous, updatedAt);
        planned.set(plan.document.id, plan.document);
        return plan;
      });
      await this.embedNew(plans, vectors);
      try {
        await this.db.transaction(async (tx) => {
          await assertUnchangedSince(tx, organizationId, read.revisions);
          for (const plan of plans) await writePlan(tx, plan, vectors);
        });
        this.statistics.wrote(plans.reduce((n, p) => n + (p.kind === 'reindex' ? p.texts.length : 0), 0));
        if (plans.length > 0) this.remember(organizationId);
        return plans.map(upsertedDocument);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
      }
    }
  }

  /** The stored documents an upsert plans against, and the revision each was read at. */
  private async readForPlanning(organizationId: string, inputs: KnowledgeDocumentInput[]) {
    const ids = [...new Set(inputs.flatMap((i) => (i.id === undefined ? [] : [i.id])))];
    const rows = await this.db.query<DocumentRow>(
      'SELECT * FROM knowledge_documents WHERE organization_id = $1 AND id IN (SELECT jsonb_array_elements_text($2::jsonb))',
      [organizationId, JSON.stringify(ids)],
    );
    const documents = new Map(rows.map((r) => [r.id, toDocument(r)]));
    const revisions = new Map<string, number | undefined>(ids.map((id) => [id, undefined]));
    for (const row of rows) revisions.set(row.id, Number(row.revision));
    return { documents, revisions };
  }

  /** One embed call for every chunk text not embedded yet, before the transaction opens. */
  private async embedNew(plans: UpsertPlan[], vectors: Map<string, string | null>): Promise<void> {
    const texts = [...new Set(plans.flatMap((p) => (p.kind === 'reindex' ? p.texts : [])))].filter((t) => !vectors.has(t));
    if (texts.length === 0) return;
    const embedded = checkEmbeddings(this.embedder, texts.length, await this.embedder.embed(texts));
    texts.forEach((text, i) => vectors.set(text, vectorText(embedded[i]!)));
  }

  async search(query: string, options: SearchOptions): Promise<KnowledgeHit[]> {
    const limit = Math.floor(options.limit);
    // Before the query is analysed and embedded: an organization without documents has nothing to find.
    if (!(limit > 0) || !(await this.hasDocuments(options.access.organizationId))) return [];
    const queryTerms = this.analyzer.analyze(query);
    // A query of only stop words has nothing to look for; the dense arm would just match "the".
    if (queryTerms.length === 0) return [];
    const queryVector = this.dense ? checkEmbeddings(this.embedder, 1, await this.embedder.embed([query], options.signal))[0] : undefined;
    const n = candidatesFor(limit);
    // One transaction: the dense arm's planner settings are SET LOCAL, so they end with it.
    const { candidates, stats } = await this.db.transaction((tx) =>
      hybridSearch(tx, {
        access: options.access,
        documentSets: options.documentSets,
        vector: queryVector ? vectorText(queryVector) : null,
        terms: queryTerms,
        candidates: n,
      }),
    );
    const ranked = rankCandidates(queryTerms, candidates, stats, n, this.weights);
    const confidence = new Map(ranked.map((r) => [r.item, r.confidence]));
    const reranked = await rerankCandidates(this.rerank, query, ranked, (c) => c.text, limit, options.signal);
    const floor = options.minConfidence ?? 0;
    return reranked
      .slice(0, limit)
      .filter(({ item }) => (confidence.get(item) ?? 0) >= floor)
      .map(({ item, score }) => toHit(item, score, confidence.get(item) ?? 0));
  }

  /** Whether the organization holds any document: an index-only probe of the primary key, far cheaper than a search. */
  private async hasDocuments(organizationId: string): Promise<boolean> {
    if (this.populated.has(organizationId)) return true;
    const [row] = await this.db.query<{ found: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM knowledge_documents WHERE organization_id = $1) AS found',
      [organizationId],
    );
    if (row?.found !== true) return false;
    this.remember(organizationId);
    return true;
  }

  private remember(organizationId: string): void {
    if (this.populated.size >= MAX_POPULATED) this.populated.clear();
    this.populated.add(organizationId);
  }

  async get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined> {
    const [row] = await this.db.query<DocumentRow>('SELECT * FROM knowledge_documents WHERE organization_id = $1 AND id = $2', [organizationId, id]);
    return row && toDocument(row);
  }

  async list(organizationId: string): Promise<KnowledgeDocument[]> {
    const rows = await this.db.query<DocumentRow>('SELECT * FROM knowledge_documents WHERE organization_id = $1 ORDER BY id', [organizationId]);
    return rows.map(toDocument);
  }

  delete(organizationId: string, id: string): Promise<boolean> {
    const result = this.writes.then(async () => {
      // Chunks go with it (ON DELETE CASCADE), in the same statement.
      const rows = await this.db.query('DELETE FROM knowledge_documents WHERE organization_id = $1 AND id = $2 RETURNING id', [organizationId, id]);
      // Perhaps its last document: the next search asks the table again.
      if (rows.length > 0) this.populated.delete(organizationId);
      return rows.length > 0;
    });
    this.writes = result.catch(() => undefined);
    return result;
  }
}

function toHit(chunk: ChunkCandidate, score: number, confidence: number): KnowledgeHit {
  return {
    documentId: chunk.documentId,
    chunkId: chunk.chunkId,
    source: chunk.source,
    ...(chunk.title !== undefined ? { title: chunk.title } : {}),
    ...(chunk.url !== undefined ? { url: chunk.url } : {}),
    text: chunk.text,
    ...(chunk.headings.length > 0 ? { headings: [...chunk.headings] } : {}),
    score,
    confidence,
  };
}
