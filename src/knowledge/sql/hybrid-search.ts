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

/** HNSW's candidate list must cover what the dense arm asks for; pgvector caps it at 1000. */
const MAX_EF_SEARCH = 1000;

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

/** The chunk columns a hit needs, joined with its document; `c` is the chunk, `d` the document. */
const HIT_COLUMNS = 'c.document_id, c.ordinal, c.text, d.source, d.title, d.url';
const DOCUMENT_JOIN = 'JOIN knowledge_documents d ON d.organization_id = c.organization_id AND d.id = c.document_id';

/**
 * The two arms, each restricted by the access predicate inside its scan, fused here with the same RRF
 * as every other store. Keyword: `ts_rank` over the GIN-indexed tsvector. Dense: cosine distance,
 * positive similarity only (as in memory), nearest first.
 *
 * The dense arm runs with sequential and bitmap scans disabled for the rest of the transaction: what
 * remains is the HNSW index (a large organization: ~2 ms instead of ~30 ms for an exact scan of 10k
 * chunks, which the planner's cost model would otherwise pick) or the primary key's organization
 * prefix (a small organization: an exact scan of only its own chunks). It runs after the keyword
 * arm, whose GIN index is only reachable through a bitmap scan. `pgvector ≥ 0.8`'s iterative scan
 * keeps the index scan going past chunks the access predicate rejects.
 */
export async function hybridSearch(tx: SqlExecutor, query: HybridQuery): Promise<Ranked<ChunkCandidate>[]> {
  const filter = accessPredicate(query.access, query.documentSets, 1);
  const keyword =
    query.words.length === 0
      ? []
      : await tx.query<ArmRow>(
          `SELECT ${HIT_COLUMNS} FROM knowledge_chunks c ${DOCUMENT_JOIN}, (SELECT to_tsquery('english', $5) AS query) q
           WHERE ${filter.sql} AND c.tsv @@ q.query
           ORDER BY ts_rank(c.tsv, q.query) DESC, c.document_id, c.ordinal
           LIMIT $6`,
          [...filter.params, query.words.join(' | '), query.candidates],
        );
  let dense: ArmRow[] = [];
  if (query.vector !== null) {
    await tx.query(
      `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
         set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
      [String(Math.min(Math.max(query.candidates, 40), MAX_EF_SEARCH))],
    );
    dense = await tx.query<ArmRow>(
      `SELECT ${HIT_COLUMNS} FROM (
         SELECT c.organization_id, c.document_id, c.ordinal, c.text, c.embedding <=> $5::vector AS distance
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
  const candidates = new Map<string, ChunkCandidate>();
  const ranked = (rows: ArmRow[]) =>
    rows.map((row) => {
      const chunkId = `${row.document_id}#${row.ordinal}`;
      let candidate = candidates.get(chunkId);
      if (!candidate) {
        candidate = {
          chunkId,
          documentId: row.document_id,
          text: row.text,
          source: row.source,
          ...(row.title !== null ? { title: row.title } : {}),
          ...(row.url !== null ? { url: row.url } : {}),
        };
        candidates.set(chunkId, candidate);
      }
      return { item: candidate, score: 0 };
    });
  // Keyword first, as in memory: on equal fused scores the earlier list's order wins.
  return reciprocalRankFusion([ranked(keyword), ranked(dense)]);
}
