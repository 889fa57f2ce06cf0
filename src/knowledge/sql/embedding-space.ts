import type { SqlDatabase, SqlExecutor } from '../../storage/sql/sql-client.js';
import { EmbedderMismatchError, embeddingSpaceOf, type Embedder, type EmbeddingSpace } from '../embedder.js';
import { embeddingIndexStatement } from './knowledge-schema.js';

async function storedSpace(db: SqlExecutor): Promise<EmbeddingSpace | undefined> {
  const [row] = await db.query<{ embedder_id: string; dimensions: number }>('SELECT embedder_id, dimensions FROM knowledge_embedding_space');
  return row && { embedderId: row.embedder_id, dimensions: Number(row.dimensions) };
}

const same = (a: EmbeddingSpace, b: EmbeddingSpace): boolean => a.embedderId === b.embedderId && a.dimensions === b.dimensions;

/**
 * Makes sure the tables hold vectors of `embedder`'s space. A store with no chunks yet adopts the
 * configured embedder (the column is retyped and its index rebuilt), as an empty in-memory store
 * would; a store with chunks refuses with `EmbedderMismatchError`, because ranking new query vectors
 * against old ones would be noise. `adopt: false` (auto-migration off) only checks.
 */
export async function ensureEmbeddingSpace(db: SqlDatabase, embedder: Embedder, adopt: boolean): Promise<void> {
  const configured = embeddingSpaceOf(embedder);
  const stored = await storedSpace(db);
  if (stored && same(stored, configured)) return;
  if (!adopt) throw new EmbedderMismatchError(stored ?? { embedderId: 'unknown', dimensions: 0 }, configured);
  await db.withMigrationLock((session) =>
    session.transaction(async (tx) => {
      // Writers wait for this: no chunk can land between the emptiness check and the retyping.
      await tx.query('LOCK TABLE knowledge_chunks IN ACCESS EXCLUSIVE MODE');
      const current = await storedSpace(tx);
      if (current && same(current, configured)) return;
      const [chunk] = await tx.query('SELECT 1 FROM knowledge_chunks LIMIT 1');
      if (current && chunk) throw new EmbedderMismatchError(current, configured);
      await tx.query('DROP INDEX IF EXISTS knowledge_chunks_embedding');
      await tx.query(`ALTER TABLE knowledge_chunks ALTER COLUMN embedding TYPE vector(${configured.dimensions}) USING NULL`);
      const index = embeddingIndexStatement(configured.dimensions);
      if (index) await tx.query(index);
      await tx.query('DELETE FROM knowledge_embedding_space');
      await tx.query('INSERT INTO knowledge_embedding_space (embedder_id, dimensions) VALUES ($1, $2)', [configured.embedderId, configured.dimensions]);
    }),
  );
}
