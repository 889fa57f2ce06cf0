import type { SqlExecutor } from '../../storage/sql/sql-client.js';
import { fieldTerms, type Candidate, type PartitionStats, type WeightedTerm } from '../field-ranking.js';
import type { AccessContext } from '../types.js';
import { accessPredicate } from './access-predicate.js';

/** One chunk found by either arm, with what a hit needs. */
export interface ChunkCandidate {
  chunkId: string;
  documentId: string;
  text: string;
  headings: string[];
  source: string;
  title?: string;
  url?: string;
}

interface ArmRow {
  document_id: string;
  ordinal: number;
  text: string;
  chunk_title: string;
  headings: string;
  source: string;
  title: string | null;
  url: string | null;
  similarity?: number | string;
}

export interface HybridQuery {
  access: AccessContext;
  documentSets: readonly string[] | undefined;
  /** pgvector text of the query embedding; null skips the dense arm (a zero vector is similar to nothing). */
  vector: string | null;
  /** The analysed query: Snowball stems, the lexemes Postgres' `english` configuration stored. */
  terms: readonly WeightedTerm[];
  /** How many candidates each arm fetches. */
  candidates: number;
}

/** HNSW's candidate list must cover what the dense arm asks for; pgvector caps it at 1000. */
const MAX_EF_SEARCH = 1000;

/** Bounds that keep a pasted essay from becoming a huge tsquery. */
const MAX_TERMS = 64;

/**
 * ts_rank_cd's weights for D, C, B, A: body, (unused), headings, title — the field weights of the
 * BM25F ranking, scaled into ts_rank_cd's [0, 1].
 */
const TS_WEIGHTS = '{0.33, 0.33, 0.67, 1.0}';

/**
 * The query's stems as a tsquery of quoted lexemes joined with `|` (a chunk needs only some of them, as
 * in BM25). Stems are letters and digits only (see `words`), so quoting them is all the escaping needed,
 * and they are matched as they are, not stemmed again.
 */
export function lexemeQuery(terms: readonly WeightedTerm[]): string {
  return [...new Set(terms.map((t) => t.term))]
    .slice(0, MAX_TERMS)
    .map((t) => `'${t}'`)
    .join(' | ');
}

/** The chunk columns a hit needs, joined with its document; `c` is the chunk, `d` the document. */
const HIT_COLUMNS = 'c.document_id, c.ordinal, c.text, c.title AS chunk_title, c.headings, d.source, d.title, d.url';
const DOCUMENT_JOIN = 'JOIN knowledge_documents d ON d.organization_id = c.organization_id AND d.id = c.document_id';

/**
 * Statistics of the caller's partition (organization, ACL, document sets) for BM25F: chunk count,
 * mean field lengths, and each query term's document frequency, in one scan under the same access
 * predicate as the arms, so documents the caller cannot read never move its scores.
 */
async function partitionStats(tx: SqlExecutor, query: HybridQuery): Promise<PartitionStats> {
  const filter = accessPredicate(query.access, query.documentSets, 1);
  // Ranking-only terms take their word's rarity (see `rankCandidates`): no frequency to count.
  const distinct = [...new Set(query.terms.filter((t) => !t.rankingOnly).map((t) => t.term))].slice(0, MAX_TERMS);
  const next = filter.params.length + 1;
  const counts = distinct.map((_, i) => `count(*) FILTER (WHERE c.tsv @@ $${next + i}::tsquery) AS df${i}`);
  const [row] = await tx.query<Record<string, number | string | null>>(
    `SELECT count(*) AS n, avg(c.title_terms) AS title, avg(c.heading_terms) AS headings, avg(c.body_terms) AS body
       ${counts.length > 0 ? `, ${counts.join(', ')}` : ''}
     FROM knowledge_chunks c WHERE ${filter.sql}`,
    [...filter.params, ...distinct.map((t) => `'${t}'`)],
  );
  const df = new Map(distinct.map((t, i) => [t, Number(row?.[`df${i}`] ?? 0)]));
  return {
    chunks: Number(row?.n ?? 0),
    averageLength: { title: Number(row?.title ?? 0), headings: Number(row?.headings ?? 0), body: Number(row?.body ?? 0) },
    documentFrequency: (term) => df.get(term) ?? 0,
  };
}

/**
 * Candidate generation and statistics in SQL, ranking in `rankCandidates` (as every store ranks).
 * Keyword arm: the field-weighted tsvector (`setweight` title A, headings B, body D) through its GIN
 * index, ordered by `ts_rank_cd`. Dense arm: cosine distance, positive similarity only (as in memory),
 * nearest first. Both restricted by the access predicate inside their scan.
 *
 * The dense arm runs with sequential and bitmap scans disabled for the rest of the transaction: what
 * remains is the HNSW index (a large organization: ~2 ms instead of ~30 ms for an exact scan of 10k
 * chunks, which the planner's cost model would otherwise pick) or the primary key's organization
 * prefix (a small organization: an exact scan of only its own chunks). It runs after the keyword
 * arm and the statistics, whose scans it would otherwise forbid. `pgvector ≥ 0.8`'s iterative scan
 * keeps the index scan going past chunks the access predicate rejects.
 */
export async function hybridSearch(tx: SqlExecutor, query: HybridQuery): Promise<{ candidates: Candidate<ChunkCandidate>[]; stats: PartitionStats }> {
  const filter = accessPredicate(query.access, query.documentSets, 1);
  // Ranking-only terms score the candidates (their frequencies are in the statistics) but do not find them.
  const lexemes = lexemeQuery(query.terms.filter((t) => !t.rankingOnly));
  const keyword =
    lexemes === ''
      ? []
      : await tx.query<ArmRow>(
          `SELECT ${HIT_COLUMNS} FROM knowledge_chunks c ${DOCUMENT_JOIN}, (SELECT $5::tsquery AS query) q
           WHERE ${filter.sql} AND c.tsv @@ q.query
           ORDER BY ts_rank_cd('${TS_WEIGHTS}', c.tsv, q.query, 1) DESC, c.document_id, c.ordinal
           LIMIT $6`,
          // Twice the dense arm's share: ts_rank_cd orders differently from the BM25F ranking that
          // follows, so the keyword arm reaches deeper for it to choose from.
          [...filter.params, lexemes, query.candidates * 2],
        );
  const stats = await partitionStats(tx, query);
  let dense: ArmRow[] = [];
  if (query.vector !== null) {
    await tx.query(
      `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
         set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
      [String(Math.min(Math.max(query.candidates, 40), MAX_EF_SEARCH))],
    );
    dense = await tx.query<ArmRow>(
      `SELECT ${HIT_COLUMNS}, 1 - c.distance AS similarity FROM (
         SELECT c.organization_id, c.document_id, c.ordinal, c.text, c.title, c.headings, c.embedding <=> $5::vector AS distance
         FROM knowledge_chunks c
         WHERE ${filter.sql} AND c.embedding IS NOT NULL
         ORDER BY c.embedding <=> $5::vector
         LIMIT $6
       ) c ${DOCUMENT_JOIN}
       WHERE c.distance < 1
       ORDER BY c.distance, c.document_id, c.ordinal`,
      [...filter.params, query.vector, query.candidates],
    );
  }
  const candidates = new Map<string, Candidate<ChunkCandidate>>();
  const add = (row: ArmRow): Candidate<ChunkCandidate> => {
    const chunkId = `${row.document_id}#${row.ordinal}`;
    let candidate = candidates.get(chunkId);
    if (!candidate) {
      const headings = row.headings === '' ? [] : row.headings.split('\n');
      candidate = {
        item: {
          chunkId,
          documentId: row.document_id,
          text: row.text,
          headings,
          source: row.source,
          ...(row.title !== null ? { title: row.title } : {}),
          ...(row.url !== null ? { url: row.url } : {}),
        },
        documentId: row.document_id,
        fields: { title: fieldTerms(row.chunk_title), headings: fieldTerms(row.headings), body: fieldTerms(row.text) },
      };
      candidates.set(chunkId, candidate);
    }
    return candidate;
  };
  for (const row of keyword) add(row);
  for (const row of dense) add(row).dense = Number(row.similarity);
  return { candidates: [...candidates.values()], stats };
}
