import { afterAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../src/storage/redact-url.js';
import { migrate } from '../src/storage/sql/migrate.js';
import { PgDatabase } from '../src/storage/sql/pg-database.js';
import { PostgresStorage } from '../src/storage/postgres-storage.js';
import { StorageSetupError } from '../src/storage/storage-error.js';
import { runStorageContract } from './contracts/storage-contract.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from './storage-services.js';

const contractDb = await createTestDatabase();
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

whenAvailable('postgres', 'unavailable' in contractDb ? contractDb.unavailable : undefined, () => {
  const db = contractDb as TestDatabase;
  databases.push(db);
  runStorageContract('postgres', () => PostgresStorage.open({ connectionString: db.url, poolMax: 4 }), { durable: true, shared: true });

  describe('postgres migrations', () => {
    async function freshDatabase(): Promise<TestDatabase> {
      const created = await createTestDatabase();
      if ('unavailable' in created) throw new Error(created.unavailable);
      databases.push(created);
      return created;
    }

    it('two replicas migrating at once apply each version exactly once', async () => {
      const target = await freshDatabase();
      const replicas = Array.from({ length: 3 }, () => new PgDatabase({ connectionString: target.url, max: 2 }));
      try {
        const reports = await Promise.all(replicas.map((r) => migrate(r)));
        expect(reports.flatMap((r) => r.applied).sort()).toEqual([1, 2]);
        expect(reports.every((r) => r.current === r.latest)).toBe(true);
        const ledger = await replicas[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(ledger.map((r) => r.version)).toEqual([1, 2]);
      } finally {
        for (const r of replicas) await r.close();
      }
    });

    it('verify mode refuses an unmigrated database and says how to fix it', async () => {
      const target = await freshDatabase();
      const attempt = PostgresStorage.open({ connectionString: target.url, schema: 'verify' });
      await expect(attempt).rejects.toThrow(StorageSetupError);
      await expect(PostgresStorage.open({ connectionString: target.url, schema: 'verify' })).rejects.toThrow(/smooth-operator migrate/);
      await (await PostgresStorage.open({ connectionString: target.url })).close();
      await (await PostgresStorage.open({ connectionString: target.url, schema: 'verify' })).close();
    });
  });
});

describe('postgres connection errors', () => {
  it('an unreachable server fails the open with a message that names it but never the password', async () => {
    const url = 'postgres://app:hunter2-secret@127.0.0.1:1/app?password=also-secret';
    const err = await PostgresStorage.open({ connectionString: url }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(StorageSetupError);
    expect(err!.message).toContain('127.0.0.1:1');
    expect(err!.message).not.toContain('hunter2');
    expect(err!.message).not.toContain('also-secret');
  });

  it('redactUrl hides passwords and query strings', () => {
    expect(redactUrl('postgres://u:pw@h:5432/db?sslmode=require&password=x')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('not a url :pw@')).toBe('[unparseable url]');
  });
});
