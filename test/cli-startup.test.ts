import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedGateway, type ScriptedGateway } from '../src/testing/index.js';

// What `smooth-operator serve` prints as it starts: plain summary lines on stdout, logs on stderr
// (JSON when stderr is a pipe, readable lines when it is a terminal).

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SUMMARY_DONE = /^ {2}admin API: .*$/m;

let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children = [];
});

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SMOOTH_AGENT_PORT: '0', ...extra };
}

/** Spawns detached (its own process group) and resolves once the whole summary is out. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: () => string }> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no summary within 60 s\n${stdout}\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (SUMMARY_DONE.test(stdout)) {
        clearTimeout(timer);
        // Give the log lines written around the summary a moment to arrive.
        setTimeout(() => ok({ stdout, stderr: () => stderr }), 300);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}

describe('smooth-operator serve start-up output', () => {
  let gateway: ScriptedGateway;
  let dataDir: string;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    gateway = await startScriptedGateway({ script: [] });
    dataDir = await mkdtemp(join(tmpdir(), 'so-startup-'));
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('defaults: listening line first, then chat page, storage, LLM off, the demo documents, a closed admin API; JSON logs on stderr', async () => {
    const { stdout, stderr } = await start(process.execPath, [CLI, 'serve'], baseEnv({ SMOOTH_AGENT_SEED_KB: '1' }));
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^smooth-operator listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws \(model=claude-haiku-4-5, llm=off\)$/);
    const port = /:(\d+)\/ws/.exec(lines[0]!)![1];
    expect(lines.slice(1)).toEqual([
      `  chat page: http://127.0.0.1:${port}/`,
      '  storage:   memory (nothing survives a restart; SMOOTH_AGENT_STORAGE=pglite keeps it on disk)',
      '  LLM:       off: replies quote the knowledge base (set SMOOAI_GATEWAY_KEY to answer with a model)',
      '  documents: 2 in organization default, including the 2 demo documents',
      '  admin API: closed (set AUTH_MODE=local-token with AUTH_LOCAL_TOKEN, or AUTH_MODE=jwt)',
    ]);
    const logLines = stderr().trimEnd().split('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(stdout).not.toContain('{"level"');
  });

  it('pglite with a gateway key: storage path, LLM on with the model, zero documents with a hint; the key is not printed', async () => {
    const { stdout, stderr } = await start(
      process.execPath,
      [CLI, 'serve'],
      baseEnv({
        SMOOTH_AGENT_STORAGE: 'pglite',
        SMOOTH_AGENT_DATA_DIR: dataDir,
        SMOOAI_GATEWAY_URL: gateway.url,
        SMOOAI_GATEWAY_KEY: 'sk-startup-secret-8080',
        SMOOTH_AGENT_MODEL: 'startup-model',
        SMOOTH_AGENT_SERVE_WIDGET: '0',
        AUTH_MODE: 'local-token',
        AUTH_LOCAL_TOKEN: 'startup-local-token-1',
      }),
    );
    expect(stdout).toMatch(/\(model=startup-model, llm=on\)\n/);
    expect(stdout).toContain('  chat page: not served (SMOOTH_AGENT_SERVE_WIDGET=1 serves it)\n');
    expect(stdout).toContain(`  storage:   pglite in ${dataDir}\n`);
    expect(stdout).toContain(`  LLM:       on, model startup-model via ${gateway.url}\n`);
    expect(stdout).toContain('  documents: 0 in organization default: add some with `smooth-operator ingest <folder> --token <admin token>`\n');
    expect(stdout).toContain('  admin API: open to the bearer token AUTH_LOCAL_TOKEN\n');
    expect(stdout + stderr()).not.toContain('sk-startup-secret-8080');
    expect(stdout + stderr()).not.toContain('startup-local-token-1');
  }, 90_000);

  // `script` is util-linux (Debian's essential bsdutils), so it is always there to lend a pty.
  it('on a terminal (`script` gives it a pty) the logs are readable lines, not JSON', async () => {
    expect(spawnSync('script', ['--version']).status, 'util-linux `script` is needed for this test').toBe(0);
    const { stdout } = await start('script', ['-qfec', `${process.execPath} ${CLI} serve`, '/dev/null'], baseEnv({ TERM: 'dumb', NO_COLOR: '1' }));
    // stdout and stderr share the terminal here.
    expect(stdout).toMatch(/listening on ws:\/\//);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN): /m);
    expect(stdout).not.toMatch(/^\{"level"/m);
  });
});
