import { vector } from '@electric-sql/pglite-pgvector';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlKnowledge } from '../src/knowledge/sql/sql-knowledge.js';
import { PgliteDatabase } from '../src/storage/sql/pglite-database.js';
import { StorageSetupError } from '../src/storage/storage-error.js';
import { runKnowledgeContract } from './contracts/knowledge-contract.js';
import { freshSqlKnowledge, offline, runSqlKnowledgeCases } from './knowledge-sql-cases.js';

const root = mkdtempSync(join(tmpdir(), 'so-knowledge-pglite-'));
let db: PgliteDatabase;
beforeAll(async () => {
  db = await PgliteDatabase.open(join(root, 'contract'), { extensions: { vector } });
}, 60_000);
afterAll(async () => {
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

runKnowledgeContract('pglite', () => freshSqlKnowledge(db), {
  reopenWith: (_kb, embedder) => SqlKnowledge.open(db, { embedder }),
});

runSqlKnowledgeCases('pglite', () => db);

describe('pglite knowledge', () => {
  it('keeps documents, chunks and vectors across a restart', async () => {
    const dir = join(root, 'restart');
    const first = await PgliteDatabase.open(dir, { extensions: { vector } });
    const kb = await SqlKnowledge.open(first, { embedder: offline() });
    await kb.upsert('org', [{ id: 'p', source: 'p.md', title: 'Pangolins', content: 'Pangolins roll into a ball.', acl: { public: false, users: ['u'], groups: [] } }]);
    await first.close();
    const second = await PgliteDatabase.open(dir, { extensions: { vector } });
    try {
      const reopened = await SqlKnowledge.open(second, { embedder: offline() });
      const hits = await reopened.search('pangolin ball', { access: { organizationId: 'org', userId: 'u', groups: [] }, limit: 3 });
      expect(hits[0]).toMatchObject({ documentId: 'p', chunkId: 'p#0', title: 'Pangolins', source: 'p.md' });
      expect(await reopened.search('pangolin ball', { access: { organizationId: 'org', groups: [] }, limit: 3 })).toEqual([]);
      const [again] = await reopened.upsert('org', [{ id: 'p', source: 'p.md', title: 'Pangolins', content: 'Pangolins roll into a ball.', acl: { public: false, users: ['u'], groups: [] } }]);
      expect(again?.outcome).toBe('unchanged');
    } finally {
      await second.close();
    }
  }, 60_000);

  it('says what to do when the vector extension is missing', async () => {
    const bare = await PgliteDatabase.open(join(root, 'no-vector'));
    try {
      const attempt = SqlKnowledge.open(bare, { embedder: offline() });
      await expect(attempt).rejects.toThrow(StorageSetupError);
      await expect(SqlKnowledge.open(bare, { embedder: offline() })).rejects.toThrow(/needs the pgvector extension.*install-pgvector\.sh/);
    } finally {
      await bare.close();
    }
  }, 60_000);
});
