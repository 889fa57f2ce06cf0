import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnServe, type ServeProcess } from './restart-cli.js';

/**
 * Connectors and their runs survive the process: the real CLI on PGlite, killed with SIGKILL after
 * indexing, restarted on the same data directory.
 */
const FIXTURES = resolve('test/fixtures/ingest');
const FIXTURE_FILES = 6;
const TOKEN = 'restart-connectors-token';

const scratch = mkdtempSync(join(tmpdir(), 'so-restart-connectors-'));
const running: ServeProcess[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const p of running.splice(0)) await p.kill('SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function serve(dataDir: string): Promise<{ process: ServeProcess; api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }> }> {
  const p = await spawnServe({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: dataDir, AUTH_MODE: 'local-token', AUTH_LOCAL_TOKEN: TOKEN }, 60_000);
  running.push(p);
  const httpUrl = p.wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '');
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { process: p, api };
}

describe('restart with connectors on pglite', () => {
  it('a connector indexed before a SIGKILL is listed with its runs afterwards, and its next run skips unchanged files', { timeout: 120_000 }, async () => {
    const dataDir = join(scratch, 'data');
    const a = await serve(dataDir);
    const created = await a.api('POST', '/admin/connectors', { name: 'handbook', kind: 'file', config: { path: FIXTURES, documentSets: ['handbook'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const connector = created.body.connector as { id: string };
    const first = await a.api('POST', `/admin/connectors/${connector.id}/index`);
    expect(first.body.run).toMatchObject({ status: 'succeeded', documentsSeen: FIXTURE_FILES, documentsSkipped: 0 });
    const firstRun = first.body.run as { id: string; cursor: string };
    await a.process.kill('SIGKILL');

    const b = await serve(dataDir);
    expect((await b.api('GET', '/admin/connectors')).body.connectors).toEqual([created.body.connector]);
    expect((await b.api('GET', '/admin/indexing/runs')).body.runs).toEqual([first.body.run]);

    // Resumes from the run recorded by the killed process: nothing changed, so nothing is read or re-embedded.
    const second = await b.api('POST', `/admin/connectors/${connector.id}/index`);
    expect(second.body.run).toMatchObject({ status: 'succeeded', documentsSeen: FIXTURE_FILES, documentsSkipped: FIXTURE_FILES, chunksIndexed: 0, cursor: firstRun.cursor });
    const runs = (await b.api('GET', `/admin/indexing/runs?connectorId=${connector.id}`)).body.runs as Array<{ id: string }>;
    expect(runs.map((r) => r.id)).toEqual([(second.body.run as { id: string }).id, firstRun.id]);
    await b.process.kill('SIGTERM');
    expect(b.process.child.exitCode).toBe(0);
  });
});
