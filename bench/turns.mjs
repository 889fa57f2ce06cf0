#!/usr/bin/env node
// Turn-throughput benchmark for smooth-operator.
//
// Processes, all on 127.0.0.1:
//   1. bench/gateway-process.mjs  — scripted OpenAI-compatible gateway (fixed ~40-chunk reply)
//   2. node <dist>/cli/main.js serve — the server under test, pointed at (1), with bench/server-probe.mjs
//      preloaded so CPU time and heap are read inside the server over IPC
//   3. optionally a second server from --baseline <dist dir> (e.g. a build of main), measured in the
//      same run so the printed ratio is immune to whatever else the machine is doing
//   4. this driver — WebSocket clients for the servers and undici HTTP/SSE clients for the gateway
//
// Modes (see bench/README.md): the level table (default), --long-conversation, --idle-sessions N,
// --soak-turns N, and --profile (the server under test runs with --cpu-prof; a summary is printed).
// Everything is bounded in count and time, and children are killed on exit.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import WebSocket from 'ws';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const AGENT_ID = '11111111-1111-1111-1111-111111111111';
const MODEL = 'claude-haiku-4-5';

// ---------------------------------------------------------------- options

const USAGE = `Usage: node bench/turns.mjs [options]
  --connections, --conns 1,10,50  concurrent connections per level (at most 1000)
  --turns-per-level 600           turns per level, split across its connections (default)
  --turns M                       or: M sequential turns per connection (overrides --turns-per-level)
  --rounds 2                      repeat each level; figures are pooled over rounds
  --warmup 20                     unmeasured warm-up turns on one connection
  --baseline DIR                  also measure the server built in DIR (a dist/ directory) in the same run
  --profile                       run the server under --cpu-prof and print top self-time functions/packages
  --long-conversation [5000]      cost of a turn at message 5 vs at message N of one conversation
  --idle-sessions N               open N sockets with a session each and report the server's RSS and heap
  --soak-turns N                  N turns on 50 connections, heap after GC every 10,000 turns
  --turn-timeout-ms 30000  --max-seconds 900
`;

function parseArgs(argv) {
  const opts = {
    connections: [1, 10, 50],
    connectionsGiven: false,
    turnsPerLevel: 600,
    turns: undefined,
    rounds: 2,
    warmup: 20,
    baseline: undefined,
    profile: false,
    longConversation: undefined,
    idleSessions: undefined,
    soakTurns: undefined,
    turnTimeoutMs: 30_000,
    maxSeconds: 900,
  };
  const positiveInt = (name, raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const optionalInt = (fallback) => {
      if (value !== undefined) return positiveInt(arg, value);
      if (i + 1 < argv.length && /^\d+$/.test(argv[i + 1])) return positiveInt(arg, argv[++i]);
      return fallback;
    };
    switch (arg) {
      case '--connections':
      case '--conns':
      case '-c':
        opts.connections = next()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => positiveInt('--connections', s));
        opts.connectionsGiven = true;
        break;
      case '--turns':
      case '-t':
        opts.turns = positiveInt('--turns', next());
        break;
      case '--turns-per-level':
        opts.turnsPerLevel = positiveInt('--turns-per-level', next());
        break;
      case '--rounds':
        opts.rounds = positiveInt('--rounds', next());
        break;
      case '--warmup':
        opts.warmup = Number(next());
        if (!Number.isInteger(opts.warmup) || opts.warmup < 0) throw new Error('--warmup: expected an integer >= 0');
        break;
      case '--baseline':
        opts.baseline = resolvePath(next());
        break;
      case '--profile':
        opts.profile = true;
        break;
      case '--long-conversation':
        opts.longConversation = optionalInt(5000);
        break;
      case '--idle-sessions':
        opts.idleSessions = positiveInt('--idle-sessions', next());
        break;
      case '--soak-turns':
        opts.soakTurns = positiveInt('--soak-turns', next());
        break;
      case '--turn-timeout-ms':
        opts.turnTimeoutMs = positiveInt('--turn-timeout-ms', next());
        break;
      case '--max-seconds':
        opts.maxSeconds = positiveInt('--max-seconds', next());
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${arg}`);
    }
  }
  if (opts.connections.length === 0) throw new Error('--connections: empty list');
  // Bounded: the driver, the gateway and the server share the machine and its file descriptors.
  if (opts.connections.some((n) => n > 1000)) throw new Error('--connections: at most 1000');
  if (opts.turns !== undefined && opts.turns > 5000) throw new Error('--turns: at most 5000');
  if (opts.turnsPerLevel > 100_000) throw new Error('--turns-per-level: at most 100000');
  if (opts.idleSessions !== undefined && opts.idleSessions > 15_000) throw new Error('--idle-sessions: at most 15000');
  if (opts.soakTurns !== undefined && opts.soakTurns > 200_000) throw new Error('--soak-turns: at most 200000');
  if (opts.longConversation !== undefined && opts.longConversation > 20_000) throw new Error('--long-conversation: at most 20000');
  if (opts.baseline && !existsSync(join(opts.baseline, 'cli', 'main.js'))) throw new Error(`--baseline: ${opts.baseline}/cli/main.js not found`);
  const special = opts.longConversation !== undefined || opts.idleSessions !== undefined || opts.soakTurns !== undefined;
  opts.runLevels = !special || opts.connectionsGiven;
  return opts;
}

// ---------------------------------------------------------------- child processes

const children = new Set();

function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}

process.on('exit', () => killAll('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping children\n`);
    killAll('SIGTERM');
    setTimeout(() => process.exit(130), 300).unref();
  });
}

function track(child, name) {
  children.add(child);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  child.on('error', (err) => process.stderr.write(`bench: ${name} process error: ${err.message}\n`));
  return child;
}

/** Keeps the last `max` lines of a stream (and counts all of them) while draining it. */
function tailLines(stream, max = 40) {
  const tail = { lines: [], count: 0, onLine: undefined };
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      tail.count++;
      tail.lines.push(line);
      if (tail.lines.length > max) tail.lines.shift();
      tail.onLine?.(line);
    }
  });
  return tail;
}

function waitForLine(tail, child, name, match, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${name} did not start within ${timeoutMs}ms`));
    }, timeoutMs);
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`${name} exited during start-up (code=${code}, signal=${signal})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      tail.onLine = undefined;
      child.off('exit', onExit);
    };
    tail.onLine = (line) => {
      const m = match(line);
      if (m !== undefined) {
        cleanup();
        resolve(m);
      }
    };
    child.on('exit', onExit);
    for (const line of tail.lines) {
      const m = match(line);
      if (m !== undefined) {
        cleanup();
        resolve(m);
        return;
      }
    }
  });
}

async function startGatewayProcess() {
  const child = track(
    spawn(process.execPath, [join(HERE, 'gateway-process.mjs')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }),
    'gateway',
  );
  const out = tailLines(child.stdout);
  const err = tailLines(child.stderr);
  const info = await waitForLine(
    out,
    child,
    'gateway',
    (line) => {
      try {
        const parsed = JSON.parse(line);
        return typeof parsed.url === 'string' ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    15_000,
  ).catch((e) => {
    throw new Error(`${e.message}\n  gateway stderr:\n    ${err.lines.join('\n    ')}`);
  });
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(info.url)) throw new Error(`gateway url is not on 127.0.0.1: ${info.url}`);
  return { child, stderr: err, ...info };
}

async function startServerProcess(gatewayUrl, { distDir = join(ROOT, 'dist'), label = 'server', profileDir, env: extraEnv = {} } = {}) {
  const env = {
    ...process.env,
    SMOOTH_AGENT_PORT: '0',
    SMOOTH_AGENT_BIND: '127.0.0.1',
    SMOOAI_GATEWAY_URL: gatewayUrl,
    SMOOAI_GATEWAY_KEY: 'bench-key',
    SMOOTH_AGENT_LOG_LEVEL: process.env.SMOOTH_AGENT_LOG_LEVEL ?? 'warn',
    // Fifty sockets from one address would trip the per-IP cap the benchmark is not measuring.
    SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP: '0',
    SMOOTH_AGENT_MAX_FRAMES_PER_SEC: '0',
    ...extraEnv,
  };
  const nodeArgs = ['--expose-gc', '--import', pathToFileURL(join(HERE, 'server-probe.mjs')).href];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const child = track(
    spawn(process.execPath, [...nodeArgs, join(distDir, 'cli', 'main.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
    label,
  );
  const out = tailLines(child.stdout);
  const err = tailLines(child.stderr);
  const wsUrl = await waitForLine(
    out,
    child,
    label,
    (line) => /listening on (ws:\/\/\S+)/.exec(line)?.[1],
    20_000,
  ).catch((e) => {
    throw new Error(`${e.message}\n  ${label} stderr:\n    ${err.lines.join('\n    ')}`);
  });
  if (!/^ws:\/\/127\.0\.0\.1:\d+\//.test(wsUrl)) throw new Error(`${label} is not on 127.0.0.1: ${wsUrl}`);
  const server = { child, pid: child.pid, label, distDir, wsUrl, stdout: out, stderr: err, startLine: out.lines.find((l) => l.includes('listening on')) };
  server.probe = probeClient(child);
  return server;
}

/** Request/response over the server's IPC channel (answered by bench/server-probe.mjs). */
function probeClient(child) {
  let nextId = 0;
  const waiting = new Map();
  child.on('message', (msg) => {
    const w = waiting.get(msg?.id);
    if (w) {
      waiting.delete(msg.id);
      w(msg);
    }
  });
  return (probe, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`server probe '${probe}' timed out`));
      }, timeoutMs);
      waiting.set(id, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      child.send({ probe, id });
    });
}

/** The server's own user+system CPU time in ms (process.cpuUsage inside the server). */
async function serverCpuMs(server) {
  const { cpu, monoUs } = await server.probe('cpu');
  server.lastMonoUs = monoUs;
  return (cpu.user + cpu.system) / 1000;
}

/** The gateway process's pid, for its CPU time (set once it is started). */
let gatewayPid;

/**
 * CPU time in ms of the processes every phase shares — this driver (process.cpuUsage) and the gateway
 * (/proc/<pid>/stat, clock ticks) — so a row can say how much of the machine a turn costs outside the
 * server: on two cores the three processes compete, and that bounds what any server can reach.
 */
function sharedCpuMs() {
  const own = process.cpuUsage();
  let gatewayMs = 0;
  try {
    const stat = readFileSync(`/proc/${gatewayPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command name).
    gatewayMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    gatewayMs = 0;
  }
  return { driverMs: (own.user + own.system) / 1000, gatewayMs };
}
const CLOCK_TICKS = 100;

/** Heap used after two forced full GCs in the server, in MB, and its RSS. */
async function serverHeapAfterGc(server) {
  const { memory, gc } = await server.probe('heap', 60_000);
  return { heapMb: Math.round((memory.heapUsed / 1048576) * 10) / 10, rssMb: Math.round((memory.rss / 1048576) * 10) / 10, gc };
}

async function stopChild(child, timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, forced: false };
  child.kill('SIGTERM');
  let timer;
  const result = await Promise.race([
    child.exited,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (result) return { ...result, forced: false };
  child.kill('SIGKILL');
  return { ...(await child.exited), forced: true };
}

// ---------------------------------------------------------------- /proc sampling

function procStatusKb(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return { rssKb: undefined, hwmKb: undefined };
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, same uid). Returns false when not permitted. */
function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function startRssSampler(pid, everyMs = 50) {
  let maxKb = procStatusKb(pid).rssKb ?? 0;
  const timer = setInterval(() => {
    const { rssKb } = procStatusKb(pid);
    if (rssKb !== undefined && rssKb > maxKb) maxKb = rssKb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const { rssKb } = procStatusKb(pid);
      if (rssKb !== undefined && rssKb > maxKb) maxKb = rssKb;
      return maxKb;
    },
  };
}

// ---------------------------------------------------------------- stats

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function summarize(latencies, ttfts, wallMs) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ttSorted = [...ttfts].sort((a, b) => a - b);
  const r = (x) => (x === null ? null : Math.round(x * 100) / 100);
  return {
    ok: sorted.length,
    wallMs: Math.round(wallMs),
    turnsPerSec: wallMs > 0 ? Math.round((sorted.length / (wallMs / 1000)) * 10) / 10 : null,
    p50Ms: r(percentile(sorted, 50)),
    p95Ms: r(percentile(sorted, 95)),
    p99Ms: r(percentile(sorted, 99)),
    maxMs: r(sorted.length ? sorted[sorted.length - 1] : null),
    meanMs: r(sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null),
    ttftP50Ms: r(percentile(ttSorted, 50)),
  };
}

// ---------------------------------------------------------------- gateway client (ceiling)

function gatewayBody() {
  return JSON.stringify({
    model: MODEL,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 8192,
    messages: [
      { role: 'system', content: 'You are a helpful customer-support agent.' },
      { role: 'user', content: 'hi' },
    ],
  });
}

/** One streamed completion, read and SSE-parsed to the end. Resolves { latencyMs, ttftMs, text }. */
const gatewayPools = {};

async function gatewayTurn(baseUrl, body, timeoutMs) {
  const t0 = performance.now();
  const url = new URL(`${baseUrl}/chat/completions`);
  // A keep-alive undici Pool, as lean a client as the server's own, so the ceiling is the gateway's
  // and not the cost of fetch() in this driver.
  gatewayPools[url.origin] ??= new Pool(url.origin, { connections: 1000 });
  const res = await gatewayPools[url.origin].request({
    method: 'POST',
    path: url.pathname,
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.statusCode !== 200) {
    const text = await res.body.text().catch(() => '');
    throw new Error(`gateway HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  }
  const decoder = new TextDecoder();
  let buf = '';
  let text = '';
  let ttft;
  let done = false;
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk, { stream: true });
    let sep;
    while ((sep = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        const parsed = JSON.parse(data);
        const piece = parsed.choices?.[0]?.delta?.content;
        if (typeof piece === 'string' && piece !== '') {
          ttft ??= performance.now() - t0;
          text += piece;
        }
      }
    }
  }
  if (!done) throw new Error('gateway stream ended without [DONE]');
  return { latencyMs: performance.now() - t0, ttftMs: ttft ?? performance.now() - t0, text };
}

async function runGatewayPhase(baseUrl, n, turns, opts, expectedText) {
  const body = gatewayBody();
  const latencies = [];
  const ttfts = [];
  const errorSamples = [];
  let errors = 0;
  let mismatches = 0;
  const shared0 = sharedCpuMs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = 0; i < turns; i++) {
        try {
          const r = await gatewayTurn(baseUrl, body, opts.turnTimeoutMs);
          latencies.push(r.latencyMs);
          ttfts.push(r.ttftMs);
          if (r.text !== expectedText) mismatches++;
        } catch (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(String(err?.message ?? err));
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const shared1 = sharedCpuMs();
  return {
    target: 'gateway', connections: n, turnsPerConnection: turns, attempted: n * turns, errors, skipped: 0, mismatches, errorSamples, latencies, ttfts,
    ...summarize(latencies, ttfts, wallMs),
    driverCpuMs: shared1.driverMs - shared0.driverMs,
    gatewayCpuMs: shared1.gatewayMs - shared0.gatewayMs,
  };
}

// ---------------------------------------------------------------- server client (WebSocket)

class WsClient {
  constructor(url, index) {
    this.url = url;
    this.index = index;
    this.pending = undefined; // { requestId, onEvent }
    this.closed = false;
    this.closeInfo = undefined;
  }

  open(timeoutMs) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      this.ws = ws;
      const fail = (err) => reject(err);
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        ws.on('error', (err) => {
          this.closeInfo ??= `socket error: ${err.message}`;
        });
        resolve();
      });
      ws.on('message', (data) => {
        let event;
        try {
          event = JSON.parse(data.toString());
        } catch {
          return;
        }
        const p = this.pending;
        const rid = event.requestId ?? event.data?.requestId;
        if (p && rid === p.requestId) p.onEvent(event);
      });
      ws.on('close', (code, reason) => {
        this.closed = true;
        this.closeInfo ??= `closed code=${code} reason=${reason.toString()}`;
        this.pending?.onClose(this.closeInfo);
      });
    });
  }

  /** Sends one frame and collects events for its requestId until `isFinal` says stop. */
  request(frame, isFinal, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.closed || this.ws.readyState !== WebSocket.OPEN) {
        reject(new Error(`connection ${this.index} is closed (${this.closeInfo ?? 'unknown'})`));
        return;
      }
      const state = { t0: performance.now(), ttft: undefined, tokens: [], events: 0 };
      const timer = setTimeout(() => {
        this.pending = undefined;
        const e = new Error(`timeout after ${timeoutMs}ms (${state.events} events, ${state.tokens.length} tokens)`);
        e.timeout = true;
        reject(e);
      }, timeoutMs);
      this.pending = {
        requestId: frame.requestId,
        onEvent: (event) => {
          state.events++;
          if (event.type === 'stream_token') {
            state.ttft ??= performance.now() - state.t0;
            state.tokens.push(event.token ?? event.data?.token ?? '');
          }
          let verdict;
          try {
            verdict = isFinal(event, state);
          } catch (err) {
            clearTimeout(timer);
            this.pending = undefined;
            reject(err);
            return;
          }
          if (verdict) {
            clearTimeout(timer);
            this.pending = undefined;
            resolve({ latencyMs: performance.now() - state.t0, ttftMs: state.ttft, text: state.tokens.join(''), event });
          }
        },
        onClose: (info) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(new Error(`connection closed mid-request: ${info}`));
        },
      };
      this.ws.send(JSON.stringify(frame));
    });
  }

  async createSession(timeoutMs) {
    const { event } = await this.request(
      { action: 'create_conversation_session', requestId: `c-${this.index}`, agentId: AGENT_ID },
      (event) => {
        if (event.type === 'error') throw new Error(`create session: ${event.error?.code}: ${event.error?.message}`);
        if (event.type === 'immediate_response') {
          if (event.status !== 200) throw new Error(`create session: status ${event.status}`);
          return true;
        }
        return false;
      },
      timeoutMs,
    );
    this.sessionId = event.data?.sessionId;
    if (typeof this.sessionId !== 'string') throw new Error('create session: no data.sessionId');
  }

  turn(seq, message, timeoutMs) {
    return this.request(
      { action: 'send_message', requestId: `r-${this.index}-${seq}`, sessionId: this.sessionId, message },
      (event) => {
        switch (event.type) {
          case 'immediate_response':
            if (event.status !== 202) throw new Error(`send_message: immediate status ${event.status}`);
            return false;
          case 'stream_token':
          case 'stream_chunk':
            return false;
          case 'eventual_response':
            return true;
          case 'error':
            throw new Error(`send_message: ${event.error?.code}: ${event.error?.message}`);
          case 'cancelled':
            throw new Error('send_message: cancelled');
          default:
            throw new Error(`send_message: unexpected event ${event.type}`);
        }
      },
      timeoutMs,
    );
  }

  close() {
    return new Promise((resolve) => {
      if (this.closed || !this.ws) return resolve();
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000, 'bench done');
    });
  }
}

async function openClients(wsUrl, n, opts, { batch = 200 } = {}) {
  const clients = Array.from({ length: n }, (_, i) => new WsClient(wsUrl, i));
  const setupErrors = [];
  // In batches, so a thousand handshakes do not all time out behind each other on a busy machine.
  for (let at = 0; at < n; at += batch) {
    await Promise.all(
      clients.slice(at, at + batch).map(async (c) => {
        try {
          await c.open(opts.turnTimeoutMs);
          await c.createSession(opts.turnTimeoutMs);
        } catch (err) {
          c.broken = true;
          setupErrors.push(String(err?.message ?? err));
        }
      }),
    );
  }
  return { clients, setupErrors };
}

/**
 * N connections × `turns` sequential turns each. `clients` may be passed in to keep using the same
 * sessions (the long-conversation and soak modes); otherwise fresh ones are opened and closed.
 */
async function runServerPhase(server, n, turns, opts, expectedText, { clients: given, seqBase = 0 } = {}) {
  const { clients, setupErrors } = given ? { clients: given, setupErrors: [] } : await openClients(server.wsUrl, n, opts);
  const serverPid = server.pid;
  const peakReset = resetPeakRss(serverPid);
  const sampler = startRssSampler(serverPid);
  const cpu0 = await serverCpuMs(server);
  const shared0 = sharedCpuMs();

  const latencies = [];
  const ttfts = [];
  const errorSamples = [...setupErrors.slice(0, 5)];
  let errors = setupErrors.length;
  let skipped = 0;
  let mismatches = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      if (c.broken) {
        skipped += turns;
        return;
      }
      for (let i = 0; i < turns; i++) {
        try {
          const r = await c.turn(seqBase + i, `hi, this is turn ${seqBase + i}`, opts.turnTimeoutMs);
          latencies.push(r.latencyMs);
          ttfts.push(r.ttftMs ?? r.latencyMs);
          if (r.text !== expectedText) mismatches++;
        } catch (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`conn ${c.index} turn ${i}: ${String(err?.message ?? err)}`);
          // After a timeout or a dropped socket the turn slot may still be busy: stop this connection.
          if (err?.timeout || c.closed) {
            c.broken = true;
            skipped += turns - i - 1;
            break;
          }
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const shared1 = sharedCpuMs();
  const cpuMs = (await serverCpuMs(server)) - cpu0;
  const sampledPeakKb = sampler.stop();
  const { rssKb, hwmKb } = procStatusKb(serverPid);
  if (!given) await Promise.all(clients.map((c) => c.close()));

  const stats = summarize(latencies, ttfts, wallMs);
  return {
    target: server.label,
    connections: n,
    turnsPerConnection: turns,
    attempted: n * turns,
    errors,
    skipped,
    mismatches,
    errorSamples,
    latencies,
    ttfts,
    ...stats,
    serverCpuMs: Math.round(cpuMs),
    driverCpuMs: shared1.driverMs - shared0.driverMs,
    gatewayCpuMs: shared1.gatewayMs - shared0.gatewayMs,
    serverCpuMsPerTurn: stats.ok > 0 ? Math.round((cpuMs / stats.ok) * 1000) / 1000 : null,
    serverCpuPct: wallMs > 0 ? Math.round((cpuMs / wallMs) * 1000) / 10 : null,
    serverPeakRssMb: mb(peakReset && hwmKb !== undefined ? Math.max(hwmKb, sampledPeakKb) : sampledPeakKb),
    serverRssAfterMb: mb(rssKb),
  };
}

/** Pools the rounds of one target at one level into one row (latencies merged, CPU and wall summed). */
function pool(rows) {
  const latencies = rows.flatMap((r) => r.latencies);
  const ttfts = rows.flatMap((r) => r.ttfts);
  const wallMs = rows.reduce((a, r) => a + r.wallMs, 0);
  const stats = summarize(latencies, ttfts, wallMs);
  const sum = (k) => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  const out = {
    target: rows[0].target,
    connections: rows[0].connections,
    attempted: sum('attempted'),
    errors: sum('errors'),
    skipped: sum('skipped'),
    mismatches: sum('mismatches'),
    errorSamples: rows.flatMap((r) => r.errorSamples).slice(0, 5),
    ...stats,
  };
  // Driver + gateway (+ server) CPU per completed turn: the whole machine's cost of one turn.
  if (rows[0].driverCpuMs !== undefined && stats.ok > 0) {
    const total = sum('driverCpuMs') + sum('gatewayCpuMs') + sum('serverCpuMs');
    out.machineCpuMsPerTurn = Math.round((total / stats.ok) * 100) / 100;
  }
  if (rows[0].serverCpuMs !== undefined) {
    const cpu = sum('serverCpuMs');
    out.serverCpuMs = cpu;
    out.serverCpuMsPerTurn = stats.ok > 0 ? Math.round((cpu / stats.ok) * 1000) / 1000 : null;
    out.serverCpuPct = wallMs > 0 ? Math.round((cpu / wallMs) * 1000) / 10 : null;
    out.serverPeakRssMb = Math.max(...rows.map((r) => r.serverPeakRssMb ?? 0));
  }
  return out;
}

// ---------------------------------------------------------------- CPU profile summary

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node (internals)';
  const dist = url.indexOf('/dist/');
  if (dist >= 0) {
    const seam = url.slice(dist + '/dist/'.length).split('/')[0];
    return `smooth-operator/${seam.replace(/\.js$/, '')}`;
  }
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url) {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** Self time per function and per package from a .cpuprofile; idle time is left out of the percentages. */
function summarizeProfile(file, window, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // Only samples inside the measured window count: start-up (module loading) and warm-up are left out.
  let ts = profile.startTime;
  let inWindow = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    ts += profile.timeDeltas[i] ?? 0;
    if (window && (ts < window.fromUs || ts > window.toUs)) continue;
    inWindow++;
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  if (window && inWindow === 0) return summarizeProfile(file, undefined, top);
  const fns = new Map();
  const pkgs = new Map();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const name = functionName || '(anonymous)';
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : name;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = packageOf(url, name);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const rows = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${(Math.round((us / busy) * 1000) / 10).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`)
      .join('\n');
  return { busyMs: Math.round(busy / 1000), windowed: window !== undefined, functions: rows(fns), packages: rows(pkgs) };
}

// ---------------------------------------------------------------- special modes

/**
 * Turns at the start of one conversation vs at message N of another, same server, same run. The
 * long one is filled first; then single turns alternate between the two, so both windows see the
 * same JIT state and the same load from the rest of the machine.
 */
async function runLongConversation(server, opts, expectedText, length) {
  const measured = 40;
  const long = await openClients(server.wsUrl, 1, opts);
  const fill = Math.max(0, Math.floor(length / 2));
  const filled = await runServerPhase(server, 1, fill, opts, expectedText, { clients: long.clients });
  const short = await openClients(server.wsUrl, 1, opts);
  // Two turns first, so the measured window starts around message 5 (each turn stores two messages).
  await runServerPhase(server, 1, 2, opts, expectedText, { clients: short.clients });
  const rows = { start: [], end: [] };
  for (let i = 0; i < measured; i++) {
    rows.start.push(await runServerPhase(server, 1, 1, opts, expectedText, { clients: short.clients, seqBase: 2 + i }));
    rows.end.push(await runServerPhase(server, 1, 1, opts, expectedText, { clients: long.clients, seqBase: fill + i }));
  }
  await Promise.all([...short.clients, ...long.clients].map((c) => c.close()));
  return {
    target: server.label,
    fillErrors: filled.errors,
    atStart: { ...pool(rows.start), label: `messages 4-${4 + 2 * measured}` },
    atEnd: { ...pool(rows.end), label: `messages ${2 * fill}-${2 * fill + 2 * measured}` },
  };
}

/** N sockets, each with a session, left idle; the server's RSS and heap before and after. */
async function runIdleSessions(server, opts, n) {
  const before = await serverHeapAfterGc(server);
  // BENCH_HEAP_SNAPSHOT=1: a heap snapshot before the sockets open and one with them open, to diff.
  if (process.env.BENCH_HEAP_SNAPSHOT === '1') process.stdout.write(`heap snapshot (before): ${(await server.probe('snapshot', 120_000)).file}\n`);
  const t0 = performance.now();
  const { clients, setupErrors } = await openClients(server.wsUrl, n, opts, { batch: 250 });
  const openMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const after = await serverHeapAfterGc(server);
  const rssKb = procStatusKb(server.pid).rssKb;
  if (process.env.BENCH_HEAP_SNAPSHOT === '1') process.stdout.write(`heap snapshot (after): ${(await server.probe('snapshot', 120_000)).file}\n`);
  const open = clients.filter((c) => !c.broken && !c.closed).length;
  await Promise.all(clients.map((c) => c.close()));
  return {
    target: server.label,
    sessions: n,
    open,
    errors: setupErrors.length,
    errorSamples: setupErrors.slice(0, 3),
    openSeconds: Math.round(openMs / 100) / 10,
    rssBeforeMb: before.rssMb,
    rssAfterMb: mb(rssKb),
    heapBeforeMb: before.heapMb,
    heapAfterMb: after.heapMb,
    kbPerSession: open > 0 ? Math.round(((rssKb - before.rssMb * 1024) / open) * 10) / 10 : null,
  };
}

/** N turns on 50 connections, a fresh session every 100 turns; heap after GC every 10,000 turns. */
async function runSoak(server, opts, expectedText, total) {
  const conns = 50;
  const perSession = 100;
  const window = 10_000;
  const samples = [];
  let done = 0;
  let errors = 0;
  const latencies = [];
  samples.push({ turns: 0, ...(await serverHeapAfterGc(server)) });
  const t0 = performance.now();
  while (done < total) {
    const chunk = Math.min(window, total - done);
    let left = chunk;
    while (left > 0) {
      const perConn = Math.min(perSession, Math.ceil(left / conns));
      const row = await runServerPhase(server, conns, perConn, opts, expectedText);
      errors += row.errors + row.skipped;
      for (const l of row.latencies) latencies.push(l);
      left -= conns * perConn;
    }
    done += chunk;
    samples.push({ turns: done, ...(await serverHeapAfterGc(server)) });
    process.stdout.write(`  soak ${server.label}: ${done} turns, heap after GC ${samples.at(-1).heapMb} MB, RSS ${samples.at(-1).rssMb} MB\n`);
  }
  if (process.env.BENCH_HEAP_SNAPSHOT === '1') process.stdout.write(`heap snapshot: ${(await server.probe('snapshot', 300_000)).file}\n`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    target: server.label,
    turns: done,
    errors,
    seconds: Math.round((performance.now() - t0) / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    samples,
  };
}

const mb = (kb) => (kb === undefined || kb === null ? null : Math.round((kb / 1024) * 10) / 10);

// ---------------------------------------------------------------- output

function table(rows, columns) {
  const cells = rows.map((r) => columns.map((c) => (r[c.key] === null || r[c.key] === undefined ? '-' : String(r[c.key]))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (vals) => vals.map((v, i) => (columns[i].left ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const ratio = (a, b) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);

// ---------------------------------------------------------------- main

const LEVEL_COLUMNS = [
  { key: 'connections', title: 'N' },
  { key: 'target', title: 'target', left: true },
  { key: 'ok', title: 'ok' },
  { key: 'errors', title: 'errors' },
  { key: 'skipped', title: 'skipped' },
  { key: 'mismatches', title: 'bad text' },
  { key: 'turnsPerSec', title: 'turns/s' },
  { key: 'p50Ms', title: 'p50 ms' },
  { key: 'p95Ms', title: 'p95 ms' },
  { key: 'p99Ms', title: 'p99 ms' },
  { key: 'maxMs', title: 'max ms' },
  { key: 'ttftP50Ms', title: 'ttft p50' },
  { key: 'serverPeakRssMb', title: 'peak RSS MB' },
  { key: 'serverCpuPct', title: 'CPU %' },
  { key: 'serverCpuMsPerTurn', title: 'CPU ms/turn' },
  { key: 'machineCpuMsPerTurn', title: 'all CPU ms/turn' },
];

async function runLevels(servers, gateway, opts, expectedText) {
  const phases = [];
  for (const n of opts.connections) {
    const turns = opts.turns ?? Math.max(1, Math.ceil(opts.turnsPerLevel / n));
    const rounds = { gateway: [] };
    for (const s of servers) rounds[s.label] = [];
    process.stdout.write(`running N=${n} × ${turns} turns × ${opts.rounds} rounds …`);
    for (let round = 0; round < opts.rounds; round++) {
      rounds.gateway.push(await runGatewayPhase(gateway.url, n, turns, opts, expectedText));
      // Alternate which server goes first, so drift in the machine's load does not favour one.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) rounds[s.label].push(await runServerPhase(s, n, turns, opts, expectedText));
      process.stdout.write(` ${round + 1}`);
    }
    process.stdout.write('\n');
    const gw = pool(rounds.gateway);
    const rows = servers.map((s) => pool(rounds[s.label]));
    const current = rows.find((r) => r.target === 'server');
    const base = rows.find((r) => r.target === 'baseline');
    phases.push({
      connections: n,
      turnsPerConnection: turns,
      gateway: gw,
      servers: rows,
      ratio: {
        connections: n,
        throughputServerOverGateway: ratio(current.turnsPerSec, gw.turnsPerSec),
        p50ServerMinusGatewayMs: current.p50Ms !== null && gw.p50Ms !== null ? Math.round((current.p50Ms - gw.p50Ms) * 100) / 100 : null,
        p99ServerOverGateway: ratio(current.p99Ms, gw.p99Ms),
        // What throughput ratio the machine allows if every process were CPU-bound on the same cores.
        cpuBoundCeiling: ratio(gw.machineCpuMsPerTurn, current.machineCpuMsPerTurn),
        ...(base
          ? {
              cpuServerOverBaseline: ratio(current.serverCpuMsPerTurn, base.serverCpuMsPerTurn),
              throughputServerOverBaseline: ratio(current.turnsPerSec, base.turnsPerSec),
              throughputBaselineOverGateway: ratio(base.turnsPerSec, gw.turnsPerSec),
            }
          : {}),
      },
    });
  }
  process.stdout.write('\n' + table(phases.flatMap((p) => [p.gateway, ...p.servers]), LEVEL_COLUMNS) + '\n\n');
  const ratioColumns = [
    { key: 'connections', title: 'N' },
    { key: 'throughputServerOverGateway', title: 'throughput server/gateway' },
    { key: 'p50ServerMinusGatewayMs', title: 'p50 server−gateway ms' },
    { key: 'p99ServerOverGateway', title: 'p99 server/gateway' },
    { key: 'cpuBoundCeiling', title: 'CPU-bound ceiling' },
  ];
  if (servers.length > 1) {
    ratioColumns.push(
      { key: 'cpuServerOverBaseline', title: 'CPU/turn server/baseline' },
      { key: 'throughputServerOverBaseline', title: 'throughput server/baseline' },
      { key: 'throughputBaselineOverGateway', title: 'throughput baseline/gateway' },
    );
  }
  process.stdout.write(table(phases.map((p) => p.ratio), ratioColumns) + '\n\n');
  for (const p of phases) {
    for (const r of [p.gateway, ...p.servers]) {
      if (r.errorSamples.length) process.stdout.write(`errors N=${p.connections} ${r.target}:\n  ${r.errorSamples.join('\n  ')}\n`);
    }
  }
  return phases.map((p) => ({
    connections: p.connections,
    turnsPerConnection: p.turnsPerConnection,
    gateway: { ...p.gateway, errorSamples: undefined },
    servers: p.servers.map((r) => ({ ...r, errorSamples: undefined })),
    ratio: p.ratio,
  }));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: --max-seconds ${opts.maxSeconds} exceeded, aborting\n`);
    killAll('SIGKILL');
    process.exit(3);
  }, opts.maxSeconds * 1000);
  deadline.unref();

  const profileDir = opts.profile ? mkdtempSync(join(tmpdir(), 'so-bench-prof-')) : undefined;
  const gateway = await startGatewayProcess();
  gatewayPid = gateway.child.pid;
  const servers = [];
  // BENCH_BASELINE_DATABASE_URL: the baseline's own database (an older build may not accept a newer schema).
  const baselineEnv = process.env.BENCH_BASELINE_DATABASE_URL ? { SMOOTH_AGENT_DATABASE_URL: process.env.BENCH_BASELINE_DATABASE_URL } : {};
  if (opts.baseline) servers.push(await startServerProcess(gateway.url, { distDir: opts.baseline, label: 'baseline', env: baselineEnv }));
  servers.push(await startServerProcess(gateway.url, { label: 'server', profileDir }));
  const expectedText = gateway.sentence;

  process.stdout.write(
    `smooth-operator turn benchmark — node ${process.version}, ${process.platform}/${process.arch}\n` +
      `gateway: ${gateway.url} (pid ${gateway.pid}), reply ${expectedText.length} chars in ${gateway.chunks} chunks\n` +
      servers
        .map((s) => `${s.label.padEnd(8)} ${s.distDir}: ${s.startLine.trim()} (pid ${s.pid}), RSS after start ${mb(procStatusKb(s.pid).rssKb)} MB\n`)
        .join('') +
      `CPU is process.cpuUsage() read inside each server over IPC${profileDir ? '; the server under test runs with --cpu-prof' : ''}\n\n`,
  );

  if (opts.warmup > 0) {
    const gw = await runGatewayPhase(gateway.url, 1, opts.warmup, opts, expectedText);
    const warm = [];
    for (const s of servers) warm.push(await runServerPhase(s, 1, opts.warmup, opts, expectedText));
    process.stdout.write(`warm-up: gateway ${gw.ok}/${gw.attempted} ok, ${warm.map((w) => `${w.target} ${w.ok}/${w.attempted} ok`).join(', ')}\n\n`);
  }

  const result = { node: process.version, opts: { ...opts }, replyChars: expectedText.length, replyChunks: gateway.chunks };
  const underTest = servers.at(-1);
  await serverCpuMs(underTest);
  const profileWindow = { fromUs: underTest.lastMonoUs };
  if (opts.runLevels) result.levels = await runLevels(servers, gateway, opts, expectedText);

  if (opts.longConversation !== undefined) {
    const rows = [];
    for (const s of servers) {
      process.stdout.write(`long conversation (${s.label}): filling one conversation to ${opts.longConversation} messages …\n`);
      const r = await runLongConversation(s, opts, expectedText, opts.longConversation);
      rows.push({ target: r.target, at: r.atStart.label, ...pickTurnFigures(r.atStart) }, { target: r.target, at: r.atEnd.label, ...pickTurnFigures(r.atEnd) });
    }
    process.stdout.write(
      '\n' +
        table(rows, [
          { key: 'target', title: 'target', left: true },
          { key: 'at', title: 'turns at', left: true },
          { key: 'ok', title: 'ok' },
          { key: 'errors', title: 'errors' },
          { key: 'p50Ms', title: 'p50 ms' },
          { key: 'p99Ms', title: 'p99 ms' },
          { key: 'serverCpuMsPerTurn', title: 'CPU ms/turn' },
        ]) +
        '\n\n',
    );
    result.longConversation = rows;
  }

  if (opts.idleSessions !== undefined) {
    const rows = [];
    for (const s of servers) {
      process.stdout.write(`idle sessions (${s.label}): opening ${opts.idleSessions} sockets with a session each …\n`);
      rows.push(await runIdleSessions(s, opts, opts.idleSessions));
    }
    process.stdout.write(
      '\n' +
        table(rows, [
          { key: 'target', title: 'target', left: true },
          { key: 'sessions', title: 'sessions' },
          { key: 'open', title: 'open' },
          { key: 'errors', title: 'errors' },
          { key: 'openSeconds', title: 'open s' },
          { key: 'rssBeforeMb', title: 'RSS before MB' },
          { key: 'rssAfterMb', title: 'RSS after MB' },
          { key: 'heapBeforeMb', title: 'heap before MB' },
          { key: 'heapAfterMb', title: 'heap after MB' },
          { key: 'kbPerSession', title: 'RSS KB/session' },
        ]) +
        '\n\n',
    );
    for (const r of rows) if (r.errorSamples.length) process.stdout.write(`errors ${r.target}: ${r.errorSamples.join('; ')}\n`);
    result.idleSessions = rows.map((r) => ({ ...r, errorSamples: undefined }));
  }

  if (opts.soakTurns !== undefined) {
    const rows = [];
    for (const s of servers) {
      process.stdout.write(`soak (${s.label}): ${opts.soakTurns} turns on 50 connections …\n`);
      const r = await runSoak(s, opts, expectedText, opts.soakTurns);
      const first = r.samples.find((x) => x.turns >= Math.min(10_000, r.turns)) ?? r.samples[1];
      const last = r.samples.at(-1);
      rows.push({
        target: r.target,
        turns: r.turns,
        errors: r.errors,
        seconds: r.seconds,
        p50Ms: r.p50Ms === null ? null : Math.round(r.p50Ms * 100) / 100,
        p99Ms: r.p99Ms === null ? null : Math.round(r.p99Ms * 100) / 100,
        heapStartMb: r.samples[0].heapMb,
        heapFirstWindowMb: first.heapMb,
        heapEndMb: last.heapMb,
        growthBytesPerTurn:
          last.turns > first.turns ? Math.round(((last.heapMb - first.heapMb) * 1048576) / (last.turns - first.turns)) : null,
        rssEndMb: last.rssMb,
        samples: r.samples,
      });
    }
    process.stdout.write(
      '\n' +
        table(rows, [
          { key: 'target', title: 'target', left: true },
          { key: 'turns', title: 'turns' },
          { key: 'errors', title: 'errors' },
          { key: 'seconds', title: 's' },
          { key: 'p50Ms', title: 'p50 ms' },
          { key: 'p99Ms', title: 'p99 ms' },
          { key: 'heapStartMb', title: 'heap@0 MB' },
          { key: 'heapFirstWindowMb', title: 'heap@10k MB' },
          { key: 'heapEndMb', title: 'heap@end MB' },
          { key: 'growthBytesPerTurn', title: 'growth B/turn (10k→end)' },
          { key: 'rssEndMb', title: 'RSS end MB' },
        ]) +
        `\n(storage: ${process.env.SMOOTH_AGENT_STORAGE ?? 'memory'}; with memory storage every stored message is in the heap, so growth there includes the conversations themselves)\n\n`,
    );
    result.soak = rows;
  }

  await serverCpuMs(underTest);
  profileWindow.toUs = underTest.lastMonoUs;
  const stops = [];
  for (const s of servers) stops.push({ label: s.label, ...(await stopChild(s.child, 15_000)), stderrLines: s.stderr.count, lastStderr: s.stderr.lines.slice(-3) });
  await stopChild(gateway.child);
  for (const s of stops) {
    process.stdout.write(`${s.label}: exit code=${s.code} signal=${s.signal}${s.forced ? ' (SIGKILLed)' : ''}, stderr lines ${s.stderrLines}\n`);
    if (s.stderrLines > 0) process.stdout.write(`  last: ${s.lastStderr.join('\n        ')}\n`);
  }
  result.exits = stops;

  if (profileDir) {
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) {
      process.stdout.write(`profile: no .cpuprofile written in ${profileDir} (did the server exit cleanly?)\n`);
    } else {
      const file = join(profileDir, files[0]);
      const summary = summarizeProfile(file, profileWindow);
      process.stdout.write(
        `\nCPU profile of the server under test (${file}), ${summary.busyMs} ms busy (idle excluded; ` +
          `${summary.windowed ? 'measured phases only, start-up and warm-up cut out' : 'whole process lifetime'})\n` +
          `top self time by package/seam:\n${summary.packages}\n\ntop self time by function:\n${summary.functions}\n\n`,
      );
      result.profile = { file, busyMs: summary.busyMs };
    }
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result, (k, v) => (k === 'latencies' || k === 'ttfts' ? undefined : v))}\n`);
}

function pickTurnFigures(r) {
  return { ok: r.ok, errors: r.errors, p50Ms: r.p50Ms, p99Ms: r.p99Ms, serverCpuMsPerTurn: r.serverCpuMsPerTurn };
}

main().then(
  () => {
    killAll('SIGKILL');
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    killAll('SIGKILL');
    process.exit(1);
  },
);
