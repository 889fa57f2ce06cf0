import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

// The ingest CLI end to end: the built binary, a real server in-process, the admin API between them.

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const FIXTURES = join('test', 'fixtures', 'ingest');
const TOKEN = 'dev-ingest-secret-7f3a';
const RUN_TIMEOUT_MS = 20_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  const env = { ...process.env };
  delete env.SMOOTH_AGENT_ADMIN_TOKEN;
  const child = spawn(process.execPath, [CLI, 'ingest', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`ingest did not finish within ${RUN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

interface ListedDocument {
  id: string;
  title?: string;
  documentSets: string[];
  acl?: { public: boolean; users: string[]; groups: string[] };
  chunks: number;
}

async function listDocuments(harness: Harness): Promise<ListedDocument[]> {
  const response = await fetch(`${harness.server.httpUrl}/admin/knowledge/documents`, { headers: { authorization: 'Bearer dev' } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { documents: ListedDocument[] }).documents;
}

const FIXTURE_IDS = ['handbook.md', 'nested/faq.mdx', 'onboarding.docx', 'pricing.html', 'refunds.txt', 'warranty.pdf'];

describe('smooth-operator ingest (built CLI against a real server)', () => {
  let harness: Harness | undefined;
  let scratch: string;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'ingest', 'cli', 'ingest-command.js'))) {
      throw new Error(`${CLI} has no ingest command: run \`npm run build\` first (npm test does).`);
    }
    scratch = await mkdtemp(join(tmpdir(), 'ingest-cli-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('uploads every fixture in batches, prints the summary, and the admin API lists them', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    const run = await runCli([FIXTURES, '--server', harness.server.httpUrl, '--token', TOKEN, '--set', 'docs', '--batch-size', '4']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run.stdout)).toMatch(/^ingested 6 documents \(\d+ chunks\), skipped 0, failed 0$/);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    // Not a terminal: plain progress lines, two batches of at most 4.
    expect(run.stderr).toContain('loaded nested/faq.mdx');
    expect(run.stderr.match(/^sent \d+ documents/gm)).toHaveLength(2);

    const listed = await listDocuments(harness);
    expect(listed.map((d) => d.id).sort()).toEqual(FIXTURE_IDS);
    for (const doc of listed) {
      expect(doc.documentSets).toEqual(['docs']);
      expect(doc.acl).toBeUndefined();
      expect(doc.chunks).toBeGreaterThan(0);
    }
    expect(listed.find((d) => d.id === 'warranty.pdf')?.title).toBe('Warranty Terms');
  });

  it('--public, --user and --group become the documents ACL', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    const file = join(FIXTURES, 'refunds.txt');
    const run = await runCli([file, '--server', harness.server.httpUrl, '--token', TOKEN, '--public', '--user', 'u-1', '--group', 'staff', '--group', 'vip']);
    expect(run.code, run.stderr).toBe(0);
    expect(await listDocuments(harness)).toEqual([
      expect.objectContaining({ id: 'refunds.txt', documentSets: [], acl: { public: true, users: ['u-1'], groups: ['staff', 'vip'] } }),
    ]);
  });

  it('--dry-run loads and counts, prints what would be sent, and sends nothing (no token needed)', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    const run = await runCli([FIXTURES, '--server', harness.server.httpUrl, '--set', 'docs', '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`dry run: would send to ${harness.server.httpUrl}/ (sets: docs; readable by the whole organization)`);
    expect(run.stdout).toMatch(/^warranty\.pdf\t\d+ chunks?\tWarranty Terms$/m);
    expect(lastLine(run.stdout)).toMatch(/^dry run: would ingest 6 documents \(\d+ chunks\), skipped 0, failed 0$/);
    expect(await listDocuments(harness)).toEqual([]);
  });

  it('a document that fails makes the exit code 1; the others are still ingested', async () => {
    harness = await startHarness([], { config: { authMode: 'none' } });
    await writeFile(join(scratch, 'good.md'), '# Good\n\nThis one loads.');
    await writeFile(join(scratch, 'broken.pdf'), 'not a pdf at all');
    const run = await runCli([scratch, '--server', harness.server.httpUrl, '--token', TOKEN]);
    expect(run.code).toBe(1);
    expect(lastLine(run.stdout)).toBe('ingested 1 document (1 chunk), skipped 0, failed 1');
    expect(run.stderr).toMatch(/^failed broken\.pdf: could not extract text from pdf: /m);
    expect((await listDocuments(harness)).map((d) => d.id)).toEqual(['good.md']);
  });

  it('a server that cannot be reached fails the run with a reason instead of a stack trace', async () => {
    const port = await new Promise<number>((ok) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => ok(port));
      });
    });
    const run = await runCli([FIXTURES, '--server', `http://127.0.0.1:${port}`, '--token', TOKEN]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/stopped early: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(lastLine(run.stdout)).toMatch(/^ingested 0 documents \(0 chunks\), skipped 0, failed [1-6]$/);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('refuses to upload without a token, and rejects bad numbers, before loading anything', async () => {
    const noToken = await runCli([FIXTURES]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no admin token: pass --token or set SMOOTH_AGENT_ADMIN_TOKEN');
    const badBatch = await runCli([FIXTURES, '--batch-size', '0', '--dry-run']);
    expect(badBatch.code).not.toBe(0);
    expect(badBatch.stderr).toContain('expected a whole number from 1 to 1000');
  });
});
