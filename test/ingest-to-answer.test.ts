import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { at } from './support/ws-client.js';

// The knowledge issue's end-to-end promise: `smooth-operator ingest ./docs` against a running server
// with no LLM key, then a visitor's question is answered by quoting the ingested document, with a citation.

const ROOT = resolve(import.meta.dirname, '..');

function ingest(server: string, path: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'ingest', path, '--server', server, '--token', 'dev'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    const run = await ingest(harness.server.httpUrl, 'test/fixtures/ingest');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ingested \d+ documents \(\d+ chunks\), skipped 0, failed 0$/m);
    expect(run.stderr.length).toBeGreaterThan(0); // progress is reported on stderr

    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'How many days until a Copper plan refund reaches my card?' });
    const frames = await client.untilTerminal();
    const reply = tokensOf(frames);
    expect(reply).toContain('without a language model');
    expect(reply).toContain('within 9 days');
    expect(at(frames.at(-1), 'data.data.citations.0.id')).toBe('refunds.txt');
    expect(harness.gateway.requests).toHaveLength(0);
  });
});
