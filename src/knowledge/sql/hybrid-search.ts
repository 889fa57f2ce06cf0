import type { SqlExecutor } from '../../storage/sql/sql-client.js';
import { reciprocalRankFusion } from '../fusion.js';
import type { Ranked } from '../top-k.js';
import type { AccessContext } from '../types.js';
import { accessPredicate } from './access-predicate.js';

/** One chunk found by either arm, with what a hit needs. */
export interface ChunkCandidate {
  chunkId: string;
  documentId: string;
  text: string;
  source: string;
  title?: string;
  url?: string;
}

interface ArmRow {
  arm: 'keyword' | 'dense';
  rank: string | number;
  document_id: string;
  ordinal: number;
  text: string;
  source: string;
  title: string | null;
  url: string | null;
}

export interface HybridQuery {
  access: AccessContext;
  documentSets: readonly string[] | undefined;
  /** pgvector text of the query embedding; null skips the dense arm (a zero vector is similar to nothing). */
  vector: string | null;
  /** The query's words; to_tsquery stems them with the english configuration and drops stop words. */
  words: readonly string[];
  /** How many candidates each arm fetches. */
  candidates: number;
}

/** Bounds that keep a pasted essay from becoming a huge tsquery; a word longer than this is not a word. */
const MAX_WORDS = 64;
const MAX_WORD_LENGTH = 100;

/**
 * The words of a query as to_tsquery input atoms: letters and digits only, so nothing in them is
 * tsquery syntax. Joined with `|`, a chunk needs only some of them, as in BM25: "return policy" must
 * find a chunk about returns that never says "policy".
 */
export function queryWords(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length <= MAX_WORD_LENGTH))].slice(0, MAX_WORDS);
}

/**
 * Both arms in one statement: the `n` best chunks by `ts_rank` over the GIN-indexed tsvector, and the
 * `n` nearest by cosine distance over the HNSW index (positive similarity only, as in memory), each
 * restricted by the access predicate inside its scan. The rows come back tagged with arm and rank and
 * are fused here, with the same RRF as every other store.
 */
export async function hybridSearch(tx: SqlExecutor, query: HybridQuery): Promise<Ranked<ChunkCandidate>[]> {
  const filter = accessPredicate(query.access, query.documentSets, 1);
  const rows = await tx.query<ArmRow>(
    `WITH keyword AS (
       SELECT c.document_id, c.ordinal, ts_rank(c.tsv, q.query) AS score
       FROM knowledge_chunks c, (SELECT to_tsquery('english', $6) AS query) q
       WHERE ${filter.sql} AND c.tsv @@ q.query
       ORDER BY score DESC, c.document_id, c.ordinal
       LIMIT $7
     ), dense AS (
       SELECT document_id, ordinal, distance FROM (
         SELECT c.document_id, c.ordinal, c.embedding <=> $5::vector AS distance
         FROM knowledge_chunks c
         WHERE ${filter.sql} AND c.embedding IS NOT NULL
         ORDER BY c.embedding <=> $5::vector
         LIMIT $7
       ) nearest
       WHERE distance < 1
     ), ranked AS (
       SELECT 'keyword' AS arm, document_id, ordinal, row_number() OVER (ORDER BY score DESC, document_id, ordinal) AS rank FROM keyword
       UNION ALL
       SELECT 'dense' AS arm, document_id, ordinal, row_number() OVER (ORDER BY distance, document_id, ordinal) AS rank FROM dense
     )
     SELECT r.arm, r.rank, r.document_id, r.ordinal, c.text, d.source, d.title, d.url
     FROM ranked r
     JOIN knowledge_chunks c ON c.organization_id = $1 AND c.document_id = r.document_id AND c.ordinal = r.ordinal
     JOIN knowledge_documents d ON d.organization_id = $1 AND d.id = r.document_id`,
    [...filter.params, query.vector, query.words.length > 0 ? query.words.join(' | ') : null, query.candidates],
  );
  const candidates = new Map<string, ChunkCandidate>();
  const arms: Record<ArmRow['arm'], Array<{ rank: number; chunkId: string }>> = { keyword: [], dense: [] };
  for (const row of rows) {
    const chunkId = `${row.document_id}#${row.ordinal}`;
    if (!candidates.has(chunkId)) {
      candidates.set(chunkId, {
        chunkId,
        documentId: row.document_id,
        text: row.text,
        source: row.source,
        ...(row.title !== null ? { title: row.title } : {}),
        ...(row.url !== null ? { url: row.url } : {}),
      });
    }
    arms[row.arm].push({ rank: Number(row.rank), chunkId });
  }
  // Keyword first, as in memory: on equal fused scores the earlier list's order wins.
  const lists = [arms.keyword, arms.dense].map((arm) =>
    arm.sort((a, b) => a.rank - b.rank).map(({ chunkId }) => ({ item: candidates.get(chunkId)!, score: 0 })),
  );
  return reciprocalRankFusion(lists);
}
