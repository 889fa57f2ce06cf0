import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scriptFromConformance, startScriptedGateway, type ScriptedGateway } from '../src/testing/index.js';
import {
  actionsOf,
  describeFailure,
  formatExpectations,
  formatFrames,
  isIgnored,
  matchExpectations,
  matchFrameList,
  parseScenario,
  substitute,
  type Captures,
  type Expectation,
  type Frame,
  type Scenario,
  type ScenarioTool,
} from './support/conformance-matcher.js';
import { SPEC_AVAILABLE, SPEC_DIR } from './support/spec.js';
import { TestClient } from './support/ws-client.js';

// Black-box replay of the published conformance scenarios (spec/conformance/scenarios/*.json,
// format in spec/NOTICE.md) against the real CLI, driven by the scripted OpenAI-compatible gateway.

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(here, '..');
const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const SCENARIO_DIR = join(SPEC_DIR, 'conformance', 'scenarios');

/**
 * Scenarios that need actions this server does not implement yet. They are listed (and reported
 * as skipped) rather than silently dropped; remove an entry as soon as the feature lands.
 */
const UNSUPPORTED_SCENARIOS: Readonly<Record<string, string>> = {};

const BOOT_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 10_000;
/** `expect: []`: how long the step must stay silent. */
const SILENCE_MS = 300;
/** A trailing `repeat` run is accepted once no further frame arrives for this long. */
const SETTLE_MS = 300;
/** After the last step: how long to watch for duplicate/extra frames. */
const TRAILING_MS = 200;
const EXIT_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Scenario loading

function loadScenarios(): Array<{ file: string; scenario: Scenario }> {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, scenario: parseScenario(JSON.parse(readFileSync(join(SCENARIO_DIR, file), 'utf8')), file) }));
}

// ---------------------------------------------------------------------------------------------
// Fixtures: tool webhook server, child process

interface ToolServer {
  url: string;
  calls: Array<{ name: string; body: string }>;
  close(): Promise<void>;
}

/** Answers `POST /tools/<name>` with the scenario tool's fixed result, whatever the arguments. */
async function startToolServer(tools: readonly ScenarioTool[]): Promise<ToolServer> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const calls: ToolServer['calls'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const name = path.startsWith('/tools/') ? decodeURIComponent(path.slice('/tools/'.length)) : undefined;
      const tool = name === undefined ? undefined : byName.get(name);
      if (req.method !== 'POST' || !tool) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`no tool route ${req.method ?? '?'} ${path}`);
        return;
      }
      calls.push({ name: tool.name, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(tool.result);
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', rej);
      res();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}

interface RunningCli {
  child: ChildProcess;
  host: string;
  port: number;
  wsUrl: string;
  httpUrl: string;
  output(): string;
}

/** Spawns `node dist/cli/main.js serve` and waits for its `listening on ws://HOST:PORT/ws` line. */
async function spawnCli(env: NodeJS.ProcessEnv): Promise<RunningCli> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: the conformance suite runs the built CLI — run \`npm run build\` first (npm test does).`);
  }
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const output = (): string => `--- child stdout ---\n${stdout || '(empty)'}\n--- child stderr ---\n${stderr || '(empty)'}`;
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const listening = await new Promise<{ host: string; port: number }>((res, rej) => {
    const timer = setTimeout(() => {
      cleanup();
      rej(new Error(`the CLI did not print its listening line within ${BOOT_TIMEOUT_MS} ms\n${output()}`));
    }, BOOT_TIMEOUT_MS);
    const onData = (d: string): void => {
      stdout += d;
      const m = /smooth-operator listening on ws:\/\/(\S+):(\d+)\/ws\b/.exec(stdout);
      if (m) {
        cleanup();
        res({ host: m[1]!, port: Number(m[2]) });
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      // Let the pipes flush so the message carries the child's last words.
      setTimeout(() => rej(new Error(`the CLI exited (code ${code}, signal ${signal}) before listening\n${output()}`)), 50);
    };
    const onError = (err: Error): void => {
      cleanup();
      rej(new Error(`could not spawn the CLI: ${err.message}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  // Keep draining stdout (logs) so the child never blocks on a full pipe.
  child.stdout!.on('data', (d: string) => {
    stdout += d;
  });
  return {
    child,
    ...listening,
    wsUrl: `ws://${listening.host}:${listening.port}/ws`,
    httpUrl: `http://${listening.host}:${listening.port}`,
    output,
  };
}

/** SIGTERM, await exit; SIGKILL if it does not go within EXIT_TIMEOUT_MS. */
async function stopCli(cli: RunningCli): Promise<void> {
  const { child } = cli;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), EXIT_TIMEOUT_MS))]);
  if (!inTime) {
    console.warn(`conformance: the CLI did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM; sending SIGKILL\n${cli.output()}`);
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Step execution against a live connection

class StepFailure extends Error {}

function stepLabel(scenario: Scenario, index: number, send: unknown): string {
  const s = send as { action?: unknown; requestId?: unknown };
  return `[${scenario.name}] step ${index} (send ${JSON.stringify(s.action ?? '(no action)')}, requestId ${JSON.stringify(s.requestId)})`;
}

/**
 * Reads frames until the expectation list is satisfied, fails, or times out. `carry` holds
 * relevant frames left over from the previous step (they arrived before this step's send and
 * therefore must be accounted for here). Returns the captures and any frames left over.
 */
async function runExpectations(
  client: TestClient,
  label: string,
  expectations: readonly Expectation[],
  carry: Frame[],
): Promise<{ captures: Captures; leftover: Frame[] }> {
  const seen: Frame[] = [...carry];
  const fail = (what: string): never => {
    throw new StepFailure(`${label}: ${what}`);
  };

  if (expectations.length === 0) {
    seen.push(...(await client.drainFor(SILENCE_MS)).filter((f) => !isIgnored(f)));
    if (seen.length > 0) fail(`expect: [] but ${seen.length} frame(s) arrived within ${SILENCE_MS} ms:\n${formatFrames(seen)}`);
    return { captures: {}, leftover: [] };
  }

  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const result = matchExpectations(expectations, seen);
    if (result.status === 'matched') return { captures: result.captures, leftover: seen.slice(result.consumed) };
    if (result.status === 'failed') fail(describeFailure(expectations, seen, result));
    if (result.status !== 'pending') continue; // unreachable; narrows the type
    const remaining = deadline - Date.now();
    const wait = result.settled ? Math.min(SETTLE_MS, Math.max(remaining, 1)) : remaining;
    if (remaining <= 0) {
      fail(
        `timed out after ${STEP_TIMEOUT_MS} ms waiting for ${result.waitingFor}\nexpectations:\n${formatExpectations(
          expectations,
        )}\nframes seen in this step (${seen.length}):\n${formatFrames(seen)}`,
      );
    }
    try {
      seen.push(await client.next((f) => !isIgnored(f), wait));
    } catch {
      if (result.settled && !client.closed) return { captures: result.captures, leftover: [] };
      if (client.closed) {
        fail(
          `the server closed the connection (code ${client.closeCode}) while waiting for ${result.waitingFor}\nframes seen in this step (${seen.length}):\n${formatFrames(seen)}`,
        );
      }
      // Otherwise the wait ran out: the loop reports the timeout with the frames seen.
    }
  }
}

async function runScenario(scenario: Scenario): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  let cli: RunningCli | undefined;
  let client: TestClient | undefined;
  try {
    const gateway: ScriptedGateway = await startScriptedGateway({ script: scriptFromConformance(scenario.mockLlmScript) });
    cleanups.push(() => gateway.close());

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SMOOTH_AGENT_PORT: '0',
      SMOOTH_AGENT_BIND: '127.0.0.1',
      SMOOAI_GATEWAY_URL: gateway.url,
      SMOOAI_GATEWAY_KEY: 'test-key',
      SMOOTH_AGENT_CONFIRM_TOOLS: (scenario.server?.confirmTools ?? []).join(','),
      AUTH_MODE: 'none',
      SMOOTH_AGENT_LOG_LEVEL: 'warn',
    };
    delete env.SMOOTH_AGENT_TOOLS_FILE; // never inherit one: the scenario alone decides the tools

    const tools = scenario.server?.tools ?? [];
    if (tools.length > 0) {
      const toolServer = await startToolServer(tools);
      cleanups.push(() => toolServer.close());
      const dir = await mkdtemp(join(tmpdir(), 'smooth-conformance-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, 'tools.json');
      const definitions = tools.map((t) => ({
        name: t.name,
        description: t.description,
        parameters: t.parameters,
        url: `${toolServer.url}/tools/${encodeURIComponent(t.name)}`,
      }));
      await writeFile(file, JSON.stringify(definitions, null, 2));
      env.SMOOTH_AGENT_TOOLS_FILE = file;
    }

    cli = await spawnCli(env);
    const running = cli;
    cleanups.push(() => stopCli(running));

    const knowledge = scenario.server?.knowledge ?? [];
    if (knowledge.length > 0) {
      const response = await fetch(`${running.httpUrl}/admin/knowledge/documents`, {
        method: 'POST',
        headers: { authorization: 'Bearer conformance', 'content-type': 'application/json' },
        body: JSON.stringify({ documents: knowledge.map((d) => ({ id: d.source, source: d.source, content: d.content })) }),
      });
      const body = await response.text();
      if (response.status !== 201) {
        throw new StepFailure(
          `[${scenario.name}] seeding server.knowledge: POST /admin/knowledge/documents answered ${response.status} (expected 201): ${body}\n${running.output()}`,
        );
      }
    }

    client = await TestClient.connect(running.wsUrl);
    const connected = client;
    cleanups.push(() => connected.close());

    const captures: Captures = {};
    let carry: Frame[] = [];
    for (const [index, step] of scenario.steps.entries()) {
      const label = stepLabel(scenario, index, step.send);
      let frame: unknown;
      try {
        frame = substitute(step.send, captures);
      } catch (err) {
        throw new StepFailure(`${label}: ${(err as Error).message}`);
      }
      connected.send(frame);
      const { captures: got, leftover } = await runExpectations(connected, label, step.expect, carry);
      Object.assign(captures, got);
      carry = leftover;
    }

    // No extra frames may follow the scenario's last expectation (e.g. a duplicate eventual_response).
    const trailing = [...carry, ...(await connected.drainFor(TRAILING_MS)).filter((f) => !isIgnored(f))];
    if (trailing.length > 0) {
      throw new StepFailure(
        `[${scenario.name}] after the last step (${scenario.steps.length - 1}): ${trailing.length} unexpected extra frame(s) within ${TRAILING_MS} ms:\n${formatFrames(trailing)}`,
      );
    }

    expect(
      connected.schemaViolations,
      `[${scenario.name}] outbound frames violate the spec schemas:\n${connected.schemaViolations.join('\n')}`,
    ).toEqual([]);
  } catch (err) {
    if (err instanceof StepFailure) {
      const extra: string[] = [];
      if (client && client.schemaViolations.length > 0) extra.push(`schema violations so far:\n${client.schemaViolations.join('\n')}`);
      if (cli) extra.push(cli.output());
      err.message = [err.message, ...extra].join('\n');
    }
    throw err;
  } finally {
    const problems: string[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        problems.push(String(err));
      }
    }
    if (problems.length > 0) console.warn(`[${scenario.name}] cleanup problems: ${problems.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The suites

if (!SPEC_AVAILABLE) {
  console.warn(`conformance: the protocol spec is absent (looked in ${SPEC_DIR}); conformance scenarios are SKIPPED`);
}

(SPEC_AVAILABLE ? describe : describe.skip)('conformance scenarios (black-box, built CLI)', () => {
  const scenarios = SPEC_AVAILABLE ? loadScenarios() : [];

  it('finds the published scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const { file, scenario } of scenarios) {
    const reason = UNSUPPORTED_SCENARIOS[scenario.name];
    if (reason !== undefined) {
      it.skip(`${scenario.name} (${file}) — SKIPPED: ${reason} [actions: ${actionsOf(scenario).join(', ')}]`, () => {});
      continue;
    }
    it(`${scenario.name} (${file})`, () => runScenario(scenario));
  }
});

describe('conformance matcher (self-test: the matcher must be able to fail)', () => {
  const frames: Frame[] = [
    { type: 'immediate_response', requestId: 'r', status: 202, data: {} },
    { type: 'keepalive', requestId: 'r', data: { requestId: 'r' } },
    { type: 'stream_token', requestId: 'r', token: 'Hel' },
    { type: 'stream_token', requestId: 'r', token: 'lo' },
    { type: 'eventual_response', requestId: 'r', status: 200, data: { data: { response: { responseParts: ['Hello'] }, usage: { promptTokens: 10 } } } },
  ];
  const good: Expectation[] = [
    { type: 'immediate_response', status: 202, capture: { rid: 'requestId' } },
    { type: 'stream_token', repeat: true, accumulate: 'token', assertAccumulated: 'Hello' },
    {
      type: 'eventual_response',
      statusGte: 200,
      assert: { 'data.data.response.responseParts': ['Hello'], 'data.data.response.responseParts.0': 'Hello', 'data.data.usage.promptTokens': 10.0 },
    },
  ];

  it('accepts a matching flow, skipping keepalive, and captures', () => {
    const result = matchFrameList(good, frames);
    expect(result).toEqual({ ok: true, captures: { rid: 'r' } });
  });

  it('reports failures: wrong value, wrong order, bad accumulation, missing and extra events', () => {
    const failures: Array<[string, Expectation[], Frame[], RegExp]> = [
      [
        'assert value',
        [good[0]!, good[1]!, { type: 'eventual_response', assert: { 'data.data.usage.promptTokens': 11 } }],
        frames,
        /assert data\.data\.usage\.promptTokens: expected 11, got 10/,
      ],
      ['order', [good[0]!, { type: 'eventual_response' }, good[1]!], frames, /expected a "eventual_response" event, got "stream_token"/],
      [
        'accumulation',
        [good[0]!, { ...good[1]!, assertAccumulated: 'Hello!' }, good[2]!],
        frames,
        /assertAccumulated .*expected "Hello!", got "Hello"/,
      ],
      ['status', [{ type: 'immediate_response', status: 200 }], frames.slice(0, 1), /status: expected 200, got 202/],
      ['missing event', good, frames.slice(0, 4), /frames ended while waiting for .*#2 "eventual_response"/],
      ['extra event', good, [...frames, frames[4]!], /unexpected extra frames/],
      ['absent path', [{ type: 'immediate_response', assert: { 'data.sessionId': 'x' } }], frames.slice(0, 1), /path is absent/],
    ];
    for (const [name, expectations, list, pattern] of failures) {
      const result = matchFrameList(expectations, list);
      expect(result.ok, `case "${name}" must fail`).toBe(false);
      if (!result.ok) expect(result.message, `case "${name}"`).toMatch(pattern);
    }
  });

  it('substitutes captured placeholders deep in strings and rejects unknown ones', () => {
    expect(substitute({ a: ['{{x}}', 'id={{x}}'], b: { c: '{{n}}' } }, { x: 's-1', n: 3 })).toEqual({ a: ['s-1', 'id=s-1'], b: { c: 3 } });
    expect(() => substitute({ a: '{{missing}}' }, {})).toThrow(/\{\{missing\}\}/);
  });
});
