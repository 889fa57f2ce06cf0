import type { Migration, MigrationTrack } from '../../storage/sql/migrations.js';
import type { EmbeddingSpace } from '../embedder.js';

export const KNOWLEDGE_TRACK = 'knowledge';

/** pgvector's HNSW index takes `vector` columns of at most this many dimensions. */
export const HNSW_MAX_DIMENSIONS = 2000;

/** A SQL string literal (standard_conforming_strings, on by default since Postgres 9.1). */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Cosine HNSW over the embeddings; wider vectors than pgvector indexes are searched exactly instead. */
export function embeddingIndexStatement(dimensions: number): string | undefined {
  return dimensions <= HNSW_MAX_DIMENSIONS
    ? 'CREATE INDEX knowledge_chunks_embedding ON knowledge_chunks USING hnsw (embedding vector_cosine_ops)'
    : undefined;
}

/**
 * The knowledge schema for one embedding space. The vector column's width is the configured
 * embedder's, so the statements depend on it; the space itself is recorded in the same migration,
 * which is what later boots compare their embedder with.
 */
function documentsAndChunks(space: EmbeddingSpace): Migration {
  const index = embeddingIndexStatement(space.dimensions);
  return {
    version: 1,
    name: 'knowledge documents, chunks with embeddings and full-text vectors, embedding space',
    statements: [
      'CREATE EXTENSION IF NOT EXISTS vector',
      // revision counts writes, so a writer can tell that the row it planned against has changed.
      `CREATE TABLE knowledge_documents (
        organization_id text NOT NULL,
        id text NOT NULL,
        source text NOT NULL,
        title text,
        url text,
        content text NOT NULL,
        document_sets jsonb NOT NULL,
        acl jsonb,
        metadata jsonb NOT NULL,
        content_hash text NOT NULL,
        chunk_count integer NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, id)
      )`,
      // Each chunk carries a copy of its document's access labels, so both retrieval arms filter on
      // this one table, inside the index scan, before anything is ranked.
      `CREATE TABLE knowledge_chunks (
        organization_id text NOT NULL,
        document_id text NOT NULL,
        ordinal integer NOT NULL,
        text text NOT NULL,
        embedding vector(${space.dimensions}),
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
        acl_open boolean NOT NULL,
        acl_users text[] NOT NULL,
        acl_groups text[] NOT NULL,
        document_sets text[] NOT NULL,
        PRIMARY KEY (organization_id, document_id, ordinal),
        FOREIGN KEY (organization_id, document_id) REFERENCES knowledge_documents (organization_id, id) ON DELETE CASCADE
      )`,
      ...(index ? [index] : []),
      'CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv)',
      `CREATE TABLE knowledge_embedding_space (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        embedder_id text NOT NULL,
        dimensions integer NOT NULL
      )`,
      `INSERT INTO knowledge_embedding_space (embedder_id, dimensions) VALUES (${literal(space.embedderId)}, ${space.dimensions})`,
    ],
  };
}

/**
 * Field-weighted full text: each chunk carries its document's title and its heading path as their own
 * columns, weighted A (title), B (headings) and D (body) in the tsvector, plus each field's analysed
 * length, which BM25F's length normalisation needs. Chunks written before this version get the
 * document's title, no headings, and Postgres' lexeme count as their lengths until re-ingested.
 */
const fieldWeightedChunks: Migration = {
  version: 2,
  name: 'chunk title and heading fields, weighted tsvector, field lengths',
  statements: [
    "ALTER TABLE knowledge_chunks ADD COLUMN title text NOT NULL DEFAULT ''",
    "ALTER TABLE knowledge_chunks ADD COLUMN headings text NOT NULL DEFAULT ''",
    'ALTER TABLE knowledge_chunks ADD COLUMN title_terms integer NOT NULL DEFAULT 0',
    'ALTER TABLE knowledge_chunks ADD COLUMN heading_terms integer NOT NULL DEFAULT 0',
    'ALTER TABLE knowledge_chunks ADD COLUMN body_terms integer NOT NULL DEFAULT 0',
    `UPDATE knowledge_chunks c SET title = coalesce(d.title, ''), title_terms = length(to_tsvector('english', coalesce(d.title, ''))),
       body_terms = length(to_tsvector('english', c.text))
     FROM knowledge_documents d WHERE d.organization_id = c.organization_id AND d.id = c.document_id`,
    'DROP INDEX knowledge_chunks_tsv',
    'ALTER TABLE knowledge_chunks DROP COLUMN tsv',
    `ALTER TABLE knowledge_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
       setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', headings), 'B') ||
       setweight(to_tsvector('english', text), 'D')) STORED`,
    'CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv)',
  ],
};

/** The `knowledge` migration track for a database whose vectors come from `space`. */
export function knowledgeMigrations(space: EmbeddingSpace): MigrationTrack {
  return { track: KNOWLEDGE_TRACK, migrations: [documentsAndChunks(space), fieldWeightedChunks] };
}
