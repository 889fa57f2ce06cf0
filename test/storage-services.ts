import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, it } from 'vitest';
import { redactUrl } from '../src/storage/redact-url.js';

/** Under CI a missing service is a failure; on a laptop without it the suite is skipped, loudly. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Defines `define()`'s suites when the service is there; otherwise a loud skip (or, in CI, a failing test). */
export function whenAvailable(service: string, unavailable: string | undefined, define: () => void): void {
  if (unavailable === undefined) {
    define();
    return;
  }
  if (IN_CI) {
    describe(`${service} service`, () => {
      it(`is available (required when CI=true)`, () => {
        throw new Error(`${service} unavailable under CI: ${unavailable}`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPING ${service} storage tests: ${unavailable}. (Under CI=true this fails instead.) ***\n\n`);
  describe.skip(`${service} (unavailable: ${unavailable})`, () => {
    it('needs the service', () => undefined);
  });
}

/** Server-level URL used to create and drop per-run databases. */
export const PG_ADMIN_URL = process.env.SMOOTH_AGENT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A brand-new database on the local server (`so_test_<random>`), or why there is none. */
export async function createTestDatabase(): Promise<TestDatabase | { unavailable: string }> {
  const name = `so_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    return { unavailable: `cannot create a database on ${redactUrl(PG_ADMIN_URL)}: ${(err as Error).message}` };
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** dynalite (an in-memory DynamoDB-compatible server) on loopback, for the real AWS SDK client to talk to. */
export async function startDynalite(): Promise<LocalDynamo | { unavailable: string }> {
  let factory: typeof import('dynalite').default;
  try {
    factory = (await import('dynalite')).default;
  } catch (err) {
    return { unavailable: `dynalite is not installed: ${(err as Error).message}` };
  }
  const server = factory({ createTableMs: 20, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const DYNAMO_TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
