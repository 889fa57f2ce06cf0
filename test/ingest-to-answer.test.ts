import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer } from '../src/index.js';
import { TestClient } from './support/ws-client.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { at } from './support/ws-client.js';

// The knowledge issue's end-to-end promise: `smooth-operator ingest ./docs` against a running server
// with no LLM key, then a visitor's question is answered by quoting the ingested document, with a citation.

const ROOT = resolve(import.meta.dirname, '..');

function ingest(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'ingest', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveRun) => child.on('close', (code) => resolveRun({ code, stdout, stderr })));
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('ingest, then ask without an LLM', () => {
  it('quotes and cites the ingested document', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } }, { apiKey: undefined });
    const run = await ingest(['test/fixtures/ingest', '--server', harness.server.httpUrl, '--token', 'dev']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ingested \d+ documents \(\d+ chunks\), skipped 0, failed 0$/m);
    expect(run.stderr.length).toBeGreaterThan(0); // progress is reported on stderr

    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'How many days until a Copper plan refund reaches my card?' });
    const frames = await client.untilTerminal();
    const reply = tokensOf(frames);
    expect(reply).toContain('Here is what our help center says:');
    expect(reply).toContain('within 9 days');
    expect(at(frames.at(-1), 'data.data.citations.0.id')).toBe('refunds.txt');
    expect(harness.gateway.requests).toHaveLength(0);
  });
});

describe('ingest --direct', () => {
  it('writes into the configured durable storage, and a server started on it cites the documents', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'so-direct-'));
    const env: NodeJS.ProcessEnv = { ...process.env, SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: dataDir };
    delete env.SMOOAI_GATEWAY_KEY;
    try {
      const run = await ingest(['test/fixtures/ingest', '--direct', '--set', 'docs'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^ingested 6 documents \(\d+ chunks\), skipped 0, failed 0$/m);
      expect(run.stderr).toContain(`pglite ${dataDir}`);

      const server = await startLocalServer({ env: { SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: dataDir } });
      try {
        const client = await TestClient.connect(server.wsUrl);
        const created = await client.request({ action: 'create_conversation_session', requestId: 'c' });
        const sessionId = (created.data as { sessionId: string }).sessionId;
        client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'How many days until a Copper plan refund reaches my card?' });
        const frames = await client.untilTerminal(20_000);
        expect(tokensOf(frames)).toContain('within 9 days');
        expect(at(frames.at(-1), 'data.data.citations.0.id')).toBe('refunds.txt');
        await client.close();
      } finally {
        await server.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses memory storage, which would lose the documents', async () => {
    const env = { ...process.env, SMOOTH_AGENT_STORAGE: 'memory' };
    const run = await ingest(['test/fixtures/ingest', '--direct'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SMOOTH_AGENT_STORAGE');
  });
});
