#!/usr/bin/env node
// Turn-throughput benchmark for smooth-operator.
//
// Three processes:
//   1. bench/gateway-process.mjs  — scripted OpenAI-compatible gateway (fixed ~40-chunk reply)
//   2. node dist/cli/main.js serve — the server under test, pointed at (1)
//   3. this driver                 — WebSocket clients for (2) and HTTP/SSE clients for (1)
//
// For each N in --connections: N connections × --turns M sequential turns (closed loop),
// first straight against the gateway (the "ceiling"), then through the server.
// Everything is on 127.0.0.1, bounded in count and time, and children are killed on exit.
//
// Usage: npm run bench:turns -- [--connections 1,10,50] [--turns 20] [--warmup 5]
//        [--turn-timeout-ms 30000] [--max-seconds 600]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const AGENT_ID = '11111111-1111-1111-1111-111111111111';
const MODEL = 'claude-haiku-4-5';

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const opts = {
    connections: [1, 10, 50],
    turns: 20,
    warmup: 5,
    turnTimeoutMs: 30_000,
    maxSeconds: 600,
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
    switch (arg) {
      case '--connections':
      case '-c':
        opts.connections = next()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => positiveInt('--connections', s));
        break;
      case '--turns':
      case '-t':
        opts.turns = positiveInt('--turns', next());
        break;
      case '--warmup':
        opts.warmup = Number(next());
        if (!Number.isInteger(opts.warmup) || opts.warmup < 0) throw new Error('--warmup: expected an integer >= 0');
        break;
      case '--turn-timeout-ms':
        opts.turnTimeoutMs = positiveInt('--turn-timeout-ms', next());
        break;
      case '--max-seconds':
        opts.maxSeconds = positiveInt('--max-seconds', next());
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'Usage: node bench/turns.mjs [--connections 1,10,50] [--turns 20] [--warmup 5] [--turn-timeout-ms 30000] [--max-seconds 600]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${arg}`);
    }
  }
  if (opts.connections.length === 0) throw new Error('--connections: empty list');
  // Keep the run bounded: 1000 sockets × 1000 turns is already far beyond what this bench is for.
  if (opts.connections.some((n) => n > 1000)) throw new Error('--connections: at most 1000');
  if (opts.turns > 1000) throw new Error('--turns: at most 1000');
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

async function startServerProcess(gatewayUrl) {
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
  };
  const child = track(
    spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }),
    'server',
  );
  const out = tailLines(child.stdout);
  const err = tailLines(child.stderr);
  const wsUrl = await waitForLine(
    out,
    child,
    'server',
    (line) => /listening on (ws:\/\/\S+)/.exec(line)?.[1],
    15_000,
  ).catch((e) => {
    throw new Error(`${e.message}\n  server stderr:\n    ${err.lines.join('\n    ')}`);
  });
  if (!/^ws:\/\/127\.0\.0\.1:\d+\//.test(wsUrl)) throw new Error(`server is not on 127.0.0.1: ${wsUrl}`);
  return { child, wsUrl, stdout: out, stderr: err, startLine: out.lines.find((l) => l.includes('listening on')) };
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

/** utime + stime in clock ticks (USER_HZ, 100 on Linux). */
function procCpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
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
async function gatewayTurn(baseUrl, body, timeoutMs) {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new Error(`gateway HTTP ${res.status}: ${text.slice(0, 200)}`);
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
  return { target: 'gateway', connections: n, turnsPerConnection: turns, attempted: n * turns, errors, skipped: 0, mismatches, errorSamples, ...summarize(latencies, ttfts, wallMs) };
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

async function runServerPhase(wsUrl, serverPid, n, turns, opts, expectedText) {
  const clients = Array.from({ length: n }, (_, i) => new WsClient(wsUrl, i));
  const setupErrors = [];
  await Promise.all(
    clients.map(async (c) => {
      try {
        await c.open(opts.turnTimeoutMs);
        await c.createSession(opts.turnTimeoutMs);
      } catch (err) {
        c.broken = true;
        setupErrors.push(String(err?.message ?? err));
      }
    }),
  );

  const peakReset = resetPeakRss(serverPid);
  const sampler = startRssSampler(serverPid);
  const cpu0 = procCpuTicks(serverPid);

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
          const r = await c.turn(i, `hi, this is turn ${i}`, opts.turnTimeoutMs);
          latencies.push(r.latencyMs);
          ttfts.push(r.ttftMs ?? r.latencyMs);
          if (r.text !== expectedText) mismatches++;
        } catch (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`conn ${c.index} turn ${i}: ${String(err?.message ?? err)}`);
          // After a timeout or a dropped socket the turn slot may still be busy: stop this connection.
          if (err?.timeout || c.closed) {
            skipped += turns - i - 1;
            break;
          }
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu1 = procCpuTicks(serverPid);
  const sampledPeakKb = sampler.stop();
  const { rssKb, hwmKb } = procStatusKb(serverPid);
  await Promise.all(clients.map((c) => c.close()));

  const stats = summarize(latencies, ttfts, wallMs);
  const cpuMs = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) * 10 : null; // USER_HZ = 100
  return {
    target: 'server',
    connections: n,
    turnsPerConnection: turns,
    attempted: n * turns,
    errors,
    skipped,
    mismatches,
    errorSamples,
    ...stats,
    serverCpuMs: cpuMs,
    serverCpuMsPerTurn: cpuMs !== null && stats.ok > 0 ? Math.round((cpuMs / stats.ok) * 100) / 100 : null,
    serverCpuPct: cpuMs !== null && wallMs > 0 ? Math.round((cpuMs / wallMs) * 1000) / 10 : null,
    serverPeakRssMb: mb(peakReset && hwmKb !== undefined ? Math.max(hwmKb, sampledPeakKb) : sampledPeakKb),
    serverPeakRssSource: peakReset ? 'VmHWM (reset per phase) + 50ms VmRSS samples' : '50ms VmRSS samples',
    serverRssAfterMb: mb(rssKb),
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

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: --max-seconds ${opts.maxSeconds} exceeded, aborting\n`);
    killAll('SIGKILL');
    process.exit(3);
  }, opts.maxSeconds * 1000);
  deadline.unref();

  const gateway = await startGatewayProcess();
  const server = await startServerProcess(gateway.url);
  const serverPid = server.child.pid;
  const expectedText = gateway.sentence;
  const startRssMb = mb(procStatusKb(serverPid).rssKb);

  process.stdout.write(
    `smooth-operator turn benchmark — node ${process.version}, ${process.platform}/${process.arch}\n` +
      `gateway: ${gateway.url} (pid ${gateway.pid}), reply ${expectedText.length} chars in ${gateway.chunks} chunks\n` +
      `server:  ${server.startLine.trim()} (pid ${serverPid}), RSS after start ${startRssMb} MB\n` +
      `plan:    connections ${opts.connections.join(',')} × ${opts.turns} turns each, warm-up ${opts.warmup} turns, turn timeout ${opts.turnTimeoutMs} ms\n\n`,
  );

  // Warm-up: JIT, connection pools, first-session paths. Not measured.
  let warmup = null;
  if (opts.warmup > 0) {
    const gw = await runGatewayPhase(gateway.url, 1, opts.warmup, opts, expectedText);
    const sv = await runServerPhase(server.wsUrl, serverPid, 1, opts.warmup, opts, expectedText);
    warmup = { gatewayErrors: gw.errors, serverErrors: sv.errors, serverErrorSamples: sv.errorSamples, gatewayErrorSamples: gw.errorSamples };
    process.stdout.write(`warm-up: gateway ${gw.ok}/${gw.attempted} ok, server ${sv.ok}/${sv.attempted} ok\n\n`);
  }

  const phases = [];
  for (const n of opts.connections) {
    process.stdout.write(`running N=${n} … gateway`);
    const gw = await runGatewayPhase(gateway.url, n, opts.turns, opts, expectedText);
    process.stdout.write(` ${gw.turnsPerSec} turns/s, server`);
    const sv = await runServerPhase(server.wsUrl, serverPid, n, opts.turns, opts, expectedText);
    process.stdout.write(` ${sv.turnsPerSec} turns/s\n`);
    phases.push({
      connections: n,
      gateway: gw,
      server: sv,
      ratio: {
        throughputServerOverGateway: ratio(sv.turnsPerSec, gw.turnsPerSec),
        p50ServerOverGateway: ratio(sv.p50Ms, gw.p50Ms),
        p99ServerOverGateway: ratio(sv.p99Ms, gw.p99Ms),
      },
    });
  }

  const endStatus = procStatusKb(serverPid);
  const serverStop = await stopChild(server.child);
  const gatewayStop = await stopChild(gateway.child);

  const rows = phases.flatMap((p) => [p.gateway, p.server]);
  process.stdout.write('\n');
  process.stdout.write(
    table(rows, [
      { key: 'connections', title: 'N' },
      { key: 'target', title: 'target', left: true },
      { key: 'ok', title: 'ok' },
      { key: 'errors', title: 'errors' },
      { key: 'skipped', title: 'skipped' },
      { key: 'mismatches', title: 'bad text' },
      { key: 'wallMs', title: 'wall ms' },
      { key: 'turnsPerSec', title: 'turns/s' },
      { key: 'p50Ms', title: 'p50 ms' },
      { key: 'p95Ms', title: 'p95 ms' },
      { key: 'p99Ms', title: 'p99 ms' },
      { key: 'maxMs', title: 'max ms' },
      { key: 'ttftP50Ms', title: 'ttft p50' },
      { key: 'serverPeakRssMb', title: 'srv peak RSS MB' },
      { key: 'serverCpuPct', title: 'srv CPU %' },
      { key: 'serverCpuMsPerTurn', title: 'srv CPU ms/turn' },
    ]) + '\n\n',
  );
  process.stdout.write(
    table(
      phases.map((p) => ({ connections: p.connections, ...p.ratio })),
      [
        { key: 'connections', title: 'N' },
        { key: 'throughputServerOverGateway', title: 'throughput server/gateway' },
        { key: 'p50ServerOverGateway', title: 'p50 server/gateway' },
        { key: 'p99ServerOverGateway', title: 'p99 server/gateway' },
      ],
    ) + '\n\n',
  );
  process.stdout.write(
    `server RSS: ${startRssMb} MB after start, ${mb(endStatus.rssKb)} MB at end, lifetime peak (VmHWM) ${mb(endStatus.hwmKb)} MB` +
      ` (VmHWM is reset per phase when /proc/<pid>/clear_refs allows it, so this is the peak since the last phase start)\n`,
  );
  process.stdout.write(
    `shutdown: server exit code=${serverStop.code} signal=${serverStop.signal}${serverStop.forced ? ' (SIGKILLed after 5s)' : ''};` +
      ` gateway exit code=${gatewayStop.code} signal=${gatewayStop.signal}${gatewayStop.forced ? ' (SIGKILLed after 5s)' : ''}\n`,
  );
  process.stdout.write(`server stderr lines (log level ${process.env.SMOOTH_AGENT_LOG_LEVEL ?? 'warn'}): ${server.stderr.count}\n`);
  if (server.stderr.count > 0) process.stdout.write(`  last: ${server.stderr.lines.slice(-5).join('\n        ')}\n`);
  for (const p of phases) {
    for (const r of [p.gateway, p.server]) {
      if (r.errorSamples.length) process.stdout.write(`errors N=${p.connections} ${r.target}:\n  ${r.errorSamples.join('\n  ')}\n`);
    }
  }
  const totalErrors = phases.reduce((a, p) => a + p.gateway.errors + p.server.errors, 0);
  if (totalErrors > 0) process.stdout.write(`WARNING: ${totalErrors} failed turns in measured phases\n`);

  const result = {
    node: process.version,
    connections: opts.connections,
    turnsPerConnection: opts.turns,
    warmupTurns: opts.warmup,
    replyChars: expectedText.length,
    replyChunks: gateway.chunks,
    warmup,
    phases: phases.map((p) => ({
      connections: p.connections,
      gateway: { ...p.gateway, errorSamples: undefined },
      server: { ...p.server, errorSamples: undefined },
      ratio: p.ratio,
    })),
    server: {
      rssAfterStartMb: startRssMb,
      rssEndMb: mb(endStatus.rssKb),
      vmHwmEndMb: mb(endStatus.hwmKb),
      stderrLines: server.stderr.count,
      exit: serverStop,
    },
    totalErrors,
  };
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
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
