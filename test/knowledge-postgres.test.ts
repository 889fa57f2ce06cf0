import { afterAll, describe, expect, it } from 'vitest';
import { SqlKnowledge } from '../src/knowledge/sql/sql-knowledge.js';
import { PgDatabase } from '../src/storage/sql/pg-database.js';
import { runKnowledgeContract } from './contracts/knowledge-contract.js';
import { freshSqlKnowledge, offline, runSqlKnowledgeCases } from './knowledge-sql-cases.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';

const contractDb = await createTestDatabase();
const pools: PgDatabase[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.close();
  for (const db of databases) await db.drop();
});

function pool(url: string): PgDatabase {
  const db = new PgDatabase({ connectionString: url, max: 4 });
  pools.push(db);
  return db;
}

whenAvailable('postgres', 'unavailable' in contractDb ? contractDb.unavailable : undefined, () => {
  const target = contractDb as TestDatabase;
  databases.push(target);
  const db = pool(target.url);

  runKnowledgeContract('postgres', () => freshSqlKnowledge(db), {
    reopenWith: (_kb, embedder) => SqlKnowledge.open(pool(target.url), { embedder }),
  });

  runSqlKnowledgeCases('postgres', () => db);

  describe('postgres knowledge', () => {
    it('two replicas migrating the knowledge track at once create one schema', async () => {
      const fresh = await createTestDatabase();
      if ('unavailable' in fresh) throw new Error(fresh.unavailable);
      databases.push(fresh);
      const replicas = [pool(fresh.url), pool(fresh.url), pool(fresh.url)];
      const stores = await Promise.all(replicas.map((r) => SqlKnowledge.open(r, { embedder: offline() })));
      await stores[0]!.upsert('org', [{ id: 'x', source: 'x', content: 'Ibis wading.' }]);
      expect((await stores[2]!.search('ibis', { access: { organizationId: 'org', groups: [] }, limit: 1 }))[0]?.documentId).toBe('x');
      const ledger = await replicas[0]!.query<{ version: number }>("SELECT version FROM schema_migrations WHERE track = 'knowledge'");
      expect(ledger.map((r) => Number(r.version))).toEqual([1, 2]);
      const indexes = await replicas[0]!.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'knowledge_chunks' ORDER BY indexname");
      expect(indexes.map((i) => i.indexdef).join('\n')).toMatch(/USING hnsw \(embedding vector_cosine_ops\)[\s\S]*USING gin \(tsv\)/);
    });
  });
});
