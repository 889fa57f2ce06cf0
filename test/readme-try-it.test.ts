import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, TestClient, type Frame } from './support/ws-client.js';

// The README's "Try it" section, executed: every fenced shell command, in order, on a copy of the
// repository, with each outcome checked (served with the demo documents, a cited answer over /ws,
// the docs folder ingested with the local token and cited). The only change made to the commands is
// the port: the server is started with SMOOTH_AGENT_PORT=0 (other suites run at the same time, so
// 8787 is never bound here) and `127.0.0.1:8787` in later commands is replaced by the port it printed.

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCUMENTED_ADDRESS = '127.0.0.1:8787';
const START_TIMEOUT_MS = 90_000;

interface TryItSection {
  commands: string[];
  questions: string[];
  /** The ingested page the README says the last answer cites. */
  citedPage: string | undefined;
}

/** The `## Try it` section: fenced `sh` blocks (also indented inside list items), and the quoted questions. */
function tryItSection(markdown: string): TryItSection {
  const start = markdown.search(/^## Try it\s*$/m);
  if (start < 0) throw new Error('README has no "## Try it" section');
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const commands: string[] = [];
  for (const block of section.matchAll(/^([ \t]*)```(?:sh|bash|shell)\n([\s\S]*?)^\1```/gm)) {
    const indent = block[1]!;
    for (const raw of block[2]!.split('\n')) {
      const line = raw.startsWith(indent) ? raw.slice(indent.length) : raw;
      if (line.trim() !== '' && !line.trim().startsWith('#')) commands.push(line.trim());
    }
  }
  const questions = [...new Set([...section.matchAll(/"([^"\n]+\?)"/g)].map((m) => m[1]!))];
  const citedPage = /cites the ingested page \(`([^`]+)`\)/.exec(section)?.[1];
  return { commands, questions, citedPage };
}

/** What a fresh clone holds: tracked files, plus new ones not yet committed (but nothing ignored). */
async function copyRepository(into: string): Promise<void> {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)))) {
    await mkdir(dirname(join(into, file)), { recursive: true });
    await cp(join(ROOT, file), join(into, file));
  }
  // `npm ci` would install these and build dist/ (its prepare script); the suite already has both.
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  await symlink(join(ROOT, 'dist'), join(into, 'dist'), 'dir');
}

/** A newcomer's shell: none of this machine's smooth-operator, auth or gateway settings, and npm kept off the network. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(SMOOTH_AGENT_|SMOOAI_|AUTH_|WIDGET_AUTH_|DATABASE_URL$)/.test(name)) env[name] = value;
  }
  return { ...env, npm_config_offline: 'true', npm_config_update_notifier: 'false' };
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runToEnd(command: string, cwd: string): Promise<Finished> {
  const child = spawn('bash', ['-c', command], { cwd, env: shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr })));
}

interface Started {
  child: ChildProcess;
  stdout: string;
}

/** Detached into its own process group: npx does not pass signals on, so the whole group is stopped. */
function startServer(command: string, cwd: string): Promise<Started> {
  const child = spawn('bash', ['-c', command], { cwd, env: { ...shellEnv(), SMOOTH_AGENT_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no start-up summary within ${START_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/^ {2}admin API: .*$/m.test(stdout)) {
        clearTimeout(timer);
        ok({ child, stdout });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

function stopGroup(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function ask(wsUrl: string, question: string): Promise<Frame> {
  const client = await TestClient.connect(wsUrl);
  try {
    const created = await client.request({ action: 'create_conversation_session', requestId: 'c', userName: 'Newcomer' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    client.send({ action: 'send_message', requestId: 'q', sessionId, message: question });
    const frames = await client.untilTerminal(20_000);
    expect(client.schemaViolations).toEqual([]);
    return frames.at(-1)!;
  } finally {
    await client.close();
  }
}

function citationIds(frame: Frame): string[] {
  const citations = at(frame, 'data.data.citations');
  return Array.isArray(citations) ? citations.map((c) => (c as { id: string }).id) : [];
}

describe('README "Try it" section (parsing)', () => {
  it('finds the commands in indented fences, the questions and the cited page', () => {
    const parsed = tryItSection(
      ['## Try it', '1. Start:', '', '   ```sh', '   A=1 run serve', '   # comment', '   ```', '2. ask "Why?" and "How?"', '', '   ```sh', '   run ingest', '   ```', 'cites the ingested page (`x.md`)', '## Next', '```sh', 'not this', '```'].join('\n'),
    );
    expect(parsed).toEqual({ commands: ['A=1 run serve', 'run ingest'], questions: ['Why?', 'How?'], citedPage: 'x.md' });
  });

  it('the real README has a start command, an ingest command with the token, and two questions', () => {
    const { commands, questions, citedPage } = tryItSection(README);
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/AUTH_MODE=local-token AUTH_LOCAL_TOKEN=(\S+) .*smooth-operator serve$/);
    const token = /AUTH_LOCAL_TOKEN=(\S+)/.exec(commands[0]!)![1]!;
    expect(commands[1]).toContain(`--token ${token}`);
    expect(commands[1]).toContain(DOCUMENTED_ADDRESS);
    expect(questions).toHaveLength(2);
    expect(citedPage).toBeDefined();
  });
});

describe('README "Try it" section, executed on a copy of the repository', () => {
  const { commands, questions, citedPage } = tryItSection(README);
  let scratch: string;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
    scratch = await mkdtemp(join(tmpdir(), 'so-readme-'));
    await copyRepository(scratch);
  });
  afterAll(async () => {
    stopGroup(server);
    await rm(scratch, { recursive: true, force: true });
  });

  it('step 1 serves the demo documents; step 2 answers from them with a citation; step 3 ingests docs/ and cites it', async () => {
    const [startCommand, ...laterCommands] = commands;
    // Step 1: the server, with the summary a newcomer reads.
    const started = await startServer(startCommand!, scratch);
    server = started.child;
    const wsUrl = /listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(started.stdout)?.[1];
    const chatUrl = /^ {2}chat page: (http:\/\/\S+)$/m.exec(started.stdout)?.[1];
    expect(wsUrl, started.stdout).toBeDefined();
    expect(chatUrl, started.stdout).toBeDefined();
    expect(started.stdout).toMatch(/^ {2}documents: 2 in organization default, including the 2 demo documents$/m);
    expect(started.stdout).toMatch(/^ {2}LLM: +off: replies quote the knowledge base/m);
    expect(started.stdout).toMatch(/^ {2}admin API: open to the bearer token AUTH_LOCAL_TOKEN$/m);
    const address = new URL(chatUrl!).host;

    // Step 2: the printed chat page is served, and the first question is answered with the demo policy as source.
    const page = await fetch(chatUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<smooth-agent-chat');
    const first = await ask(wsUrl!, questions[0]!);
    expect(first.type).toBe('eventual_response');
    expect(citationIds(first)).toContain('policies/returns.md');

    // Step 3: the ingest command, verbatim but for the port, with the token from step 1.
    for (const command of laterCommands) {
      const run = await runToEnd(command.replaceAll(DOCUMENTED_ADDRESS, address), scratch);
      expect(run.code, `${command}\n${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/^ingested [1-9]\d* documents \(\d+ chunks\), skipped 0, failed 0$/m);
    }
    const second = await ask(wsUrl!, questions[1]!);
    expect(second.type).toBe('eventual_response');
    expect(citationIds(second)[0], JSON.stringify(second)).toBe(citedPage);
  }, 180_000);
});
