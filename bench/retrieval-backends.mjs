// Opens a knowledge store on each storage backend for the retrieval benchmarks (dist/, so build first).
//   memory    MemoryKnowledge in this process
//   pglite    SqlKnowledge on PGlite (pgvector) in a temp directory, in this process
//   postgres  SqlKnowledge on a fresh database of SMOOTH_AGENT_TEST_PG_URL's server (dropped afterwards)
//   dynamodb  DynamoKnowledge on dynalite (in-memory DynamoDB on loopback), via the real AWS SDK
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKnowledge } from '../dist/knowledge/index.js';

const PG_ADMIN_URL = process.env.SMOOTH_AGENT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const ALL_BACKENDS = ['memory', 'pglite', 'postgres', 'dynamodb'];

/** `options` are the store options (embedder, reranker, retrieval configuration) every backend takes. */
export async function openBackend(name, options) {
  if (name === 'memory') return { kb: new MemoryKnowledge(options), close: async () => undefined };
  if (name === 'pglite') {
    const { PgliteDatabase } = await import('../dist/storage/sql/pglite-database.js');
    const { SqlKnowledge } = await import('../dist/knowledge/sql/sql-knowledge.js');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const dir = mkdtempSync(join(tmpdir(), 'so-bench-pglite-'));
    const db = await PgliteDatabase.open(dir, { extensions: { vector } });
    return { kb: await SqlKnowledge.open(db, options), close: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  if (name === 'postgres') {
    const pg = (await import('pg')).default;
    const { PgDatabase } = await import('../dist/storage/sql/pg-database.js');
    const { SqlKnowledge } = await import('../dist/knowledge/sql/sql-knowledge.js');
    const dbName = `so_bench_${randomBytes(5).toString('hex')}`;
    const adminQuery = async (sql) => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await adminQuery(`CREATE DATABASE ${dbName}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    const db = new PgDatabase({ connectionString: url.toString(), max: 4 });
    return {
      kb: await SqlKnowledge.open(db, options),
      close: async () => (await db.close(), await adminQuery(`DROP DATABASE ${dbName} WITH (FORCE)`)),
    };
  }
  if (name === 'dynamodb') {
    const dynalite = (await import('dynalite')).default;
    const { DynamoStorage } = await import('../dist/storage/dynamodb/dynamo-storage.js');
    const { DynamoKnowledge } = await import('../dist/knowledge/dynamodb/dynamo-knowledge.js');
    const server = dynalite({ createTableMs: 0 });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const storage = await DynamoStorage.open({
      table: 'bench',
      endpoint: `http://127.0.0.1:${server.address().port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    return {
      kb: await DynamoKnowledge.open(storage.tableAccess, options),
      close: async () => (await storage.close(), await new Promise((resolve) => server.close(resolve))),
    };
  }
  throw new Error(`unknown backend ${name}`);
}
