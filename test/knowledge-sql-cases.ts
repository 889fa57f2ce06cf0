import { describe, expect, it } from 'vitest';
import { DeterministicEmbedder, EmbedderMismatchError, stem, type AccessContext, type Embedder } from '../src/knowledge/index.js';
import { SqlKnowledge } from '../src/knowledge/sql/sql-knowledge.js';
import type { SqlDatabase } from '../src/storage/sql/sql-client.js';

export const offline = () => new DeterministicEmbedder({ tokens: 'terms' });

/** Starts each test on empty knowledge tables (the contract expects a fresh store). */
export async function freshSqlKnowledge(db: SqlDatabase): Promise<SqlKnowledge> {
  const kb = await SqlKnowledge.open(db, { embedder: offline() });
  await db.query('TRUNCATE knowledge_chunks, knowledge_documents');
  return kb;
}

const anonymous = (organizationId: string): AccessContext => ({ organizationId, groups: [] });

/** The offline embedder, counting the query embeddings (single-text calls) it was asked for. */
export function countingEmbedder(): Embedder & { queries: number } {
  const inner = offline();
  const counting = {
    id: inner.id,
    dimensions: inner.dimensions,
    queries: 0,
    embed(texts: string[]) {
      if (texts.length === 1) counting.queries++;
      return inner.embed(texts);
    },
  };
  return counting;
}

/** What the SQL store must do beyond the shared contract, on PGlite and Postgres alike. */
export function runSqlKnowledgeCases(name: string, database: () => SqlDatabase): void {
  describe(`sql knowledge on ${name}`, () => {
    it('stems like the JavaScript analyser: Postgres english lexemes are the Snowball stems every store uses', async () => {
      const db = database();
      const words = ['devices', 'device', 'prices', 'price', 'codes', 'invoices', 'packages', 'issues', 'changed', 'change', 'shipping', 'returns', 'recordings', 'batteries', 'notifications', 'cancelled', 'subscription', 'generously'];
      const rows = await db.query<{ w: string; l: string[] | null }>("SELECT w, ts_lexize('english_stem', w) AS l FROM jsonb_array_elements_text($1::jsonb) w", [JSON.stringify(words)]);
      expect(rows.map((r) => [r.w, r.l?.[0]])).toEqual(words.map((w) => [w, stem(w)]));
    });

    it('records the embedding space and adopts a new embedder only while it holds no chunks', async () => {
      const db = database();
      await freshSqlKnowledge(db);
      const narrow = new DeterministicEmbedder({ tokens: 'terms', dimensions: 64 });
      const adopted = await SqlKnowledge.open(db, { embedder: narrow });
      const [column] = await db.query<{ type: string }>(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'knowledge_chunks'::regclass AND attname = 'embedding'",
      );
      expect(column?.type).toBe('vector(64)');
      await adopted.upsert('org-a', [{ id: 'a', source: 'a', content: 'Narrow vectors for otters.' }]);
      expect((await adopted.search('otters', { access: anonymous('org-a'), limit: 1 }))[0]?.documentId).toBe('a');
      await expect(SqlKnowledge.open(db, { embedder: offline() })).rejects.toThrow(EmbedderMismatchError);
      await expect(SqlKnowledge.open(db, { embedder: offline() })).rejects.toThrow(
        'knowledge store was built with deterministic-v1:terms (64 dims); configured embedder is deterministic-v1:terms (1024 dims): re-index or switch back',
      );
      await db.query('TRUNCATE knowledge_chunks, knowledge_documents');
      await SqlKnowledge.open(db, { embedder: offline() });
    });

    it('finds an organization’s chunks among many of other organizations (filter inside the vector scan)', async () => {
      const db = database();
      const kb = await freshSqlKnowledge(db);
      const docs = Array.from({ length: 400 }, (_, i) => ({ id: `n${i}`, source: `n${i}`, content: `Noise about lemurs and item ${i}.` }));
      await kb.upsert('big-org', docs);
      await kb.upsert('small-org', [{ id: 'mine', source: 'mine', content: 'Lemurs in the small organization.' }]);
      const hits = await kb.search('lemurs', { access: anonymous('small-org'), limit: 5 });
      expect(hits.map((h) => h.documentId)).toEqual(['mine']);
      expect((await kb.search('lemurs', { access: anonymous('big-org'), limit: 30 })).length).toBe(30);
    });

    it('re-plans when another writer changed a document in between, and never mixes their chunks', async () => {
      const db = database();
      const a = await freshSqlKnowledge(db);
      const b = await SqlKnowledge.open(db, { embedder: offline() });
      await a.upsert('org', [{ id: 'doc', source: 'doc', content: 'First version about herons.' }]);
      // Two writers (think: two replicas) racing on one document, many times over.
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? a : b).upsert('org', [{ id: 'doc', source: 'doc', content: `Version ${i} about herons. ${'Long text. '.repeat(60 + i)}` }]),
        ),
      );
      const stored = await a.get('org', 'doc');
      const chunks = await db.query<{ text: string }>("SELECT text FROM knowledge_chunks WHERE organization_id = 'org' AND document_id = 'doc' ORDER BY ordinal");
      expect(chunks.length).toBe(stored?.chunkCount);
      expect(chunks[0]?.text.startsWith(stored!.content.slice(0, 20))).toBe(true);
    });

    it('skips an organization without documents, and finds what another replica upserts after that, even racing it', async () => {
      const db = database();
      const writer = await freshSqlKnowledge(db);
      const embedder = countingEmbedder();
      const reader = await SqlKnowledge.open(db, { embedder });
      expect(await reader.search('ospreys fish', { access: anonymous('empty-org'), limit: 3 })).toEqual([]);
      // Cut short before the query was embedded: nothing to rank.
      expect(embedder.queries).toBe(0);
      const racing = Array.from({ length: 8 }, () => reader.search('ospreys fish', { access: anonymous('empty-org'), limit: 3 }));
      await writer.upsert('empty-org', [{ id: 'osprey', source: 'osprey', content: 'Ospreys fish by diving feet first.' }]);
      await Promise.all(racing);
      expect((await reader.search('ospreys fish', { access: anonymous('empty-org'), limit: 3 })).map((h) => h.documentId)).toEqual(['osprey']);
      expect(embedder.queries).toBeGreaterThan(0);
      // Once its last document is deleted here, the next search here is cut short again.
      expect(await reader.delete('empty-org', 'osprey')).toBe(true);
      const before = embedder.queries;
      expect(await reader.search('ospreys fish', { access: anonymous('empty-org'), limit: 3 })).toEqual([]);
      expect(embedder.queries).toBe(before);
    });

    it('keeps chunks without any token out of the dense arm instead of failing on a zero vector', async () => {
      const kb = await freshSqlKnowledge(database());
      await kb.upsert('org', [
        { id: 'punct', source: 'punct', content: '— … —' },
        { id: 'real', source: 'real', content: 'Puffins nest on cliffs.' },
      ]);
      expect((await kb.search('puffins', { access: anonymous('org'), limit: 5 })).map((h) => h.documentId)).toEqual(['real']);
    });
  });
}
