#!/usr/bin/env node
// Cold-start benchmark for `smooth-operator serve`, per storage backend.
//
// For each backend it starts the built CLI (dist/cli/main.js) --runs times and measures, from spawn:
//   listen  — until the "listening on" line (process start, config, storage open + migrations, bind)
//   ready   — until a first create_conversation_session round trip succeeded (first durable write)
// plus the RSS right after that. Backends:
//   memory          SMOOTH_AGENT_STORAGE=memory
//   pglite (new)    SMOOTH_AGENT_STORAGE=pglite on an empty data directory (first boot: initdb + migrate)
//   pglite (reuse)  SMOOTH_AGENT_STORAGE=pglite on a data directory an earlier run created (every later boot)
//   postgres        only with --postgres-url URL (a database you can write to)
// Everything is on 127.0.0.1; each server is stopped with SIGTERM before the next starts.
//
// Usage: npm run build && node bench/startup.mjs [--runs 5] [--postgres-url postgres://…] [--max-seconds 300]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function parseArgs(argv) {
  const opts = { runs: 5, postgresUrl: undefined, maxSeconds: 300 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--runs') opts.runs = Number(value());
    else if (flag === '--postgres-url') opts.postgresUrl = value();
    else if (flag === '--max-seconds') opts.maxSeconds = Number(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write('Usage: node bench/startup.mjs [--runs 5] [--postgres-url URL] [--max-seconds 300]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${flag}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > 100) throw new Error('--runs: 1..100');
  return opts;
}

const rssMb = (pid) => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return null;
  }
};

/** Hides a password in a URL for printing. */
const redact = (url) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

function firstSession(wsUrl) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const timer = setTimeout(() => reject(new Error('no session within 10 s')), 10_000);
    ws.on('open', () => ws.send(JSON.stringify({ action: 'create_conversation_session', requestId: 'c' })));
    ws.on('message', (data) => {
      const event = JSON.parse(String(data));
      if (event.requestId !== 'c') return;
      clearTimeout(timer);
      ws.close();
      if (event.type === 'immediate_response' && event.status === 200) resolve();
      else reject(new Error(`create session answered ${event.type}`));
    });
    ws.on('error', reject);
  });
}

async function bootOnce(env) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, SMOOTH_AGENT_PORT: '0', SMOOTH_AGENT_BIND: '127.0.0.1', SMOOTH_AGENT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const wsUrl = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
    });
    const listenMs = performance.now() - t0;
    await firstSession(wsUrl);
    const readyMs = performance.now() - t0;
    return { listenMs, readyMs, rssMb: rssMb(child.pid) };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const r1 = (x) => Math.round(x * 10) / 10;

async function measure(name, runs, envFor) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await bootOnce(envFor(i)));
  const listen = samples.map((s) => s.listenMs);
  const ready = samples.map((s) => s.readyMs);
  return {
    backend: name,
    runs,
    listenMedianMs: r1(median(listen)),
    listenMinMs: r1(Math.min(...listen)),
    listenMaxMs: r1(Math.max(...listen)),
    readyMedianMs: r1(median(ready)),
    rssMedianMb: r1(median(samples.map((s) => s.rssMb ?? 0))),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => {
    process.stderr.write(`startup bench: --max-seconds ${opts.maxSeconds} exceeded\n`);
    process.exit(3);
  }, opts.maxSeconds * 1000);
  deadline.unref();
  const scratch = mkdtempSync(join(tmpdir(), 'so-startup-'));
  try {
    const baseline = await new Promise((resolve) => {
      const t0 = performance.now();
      spawn(process.execPath, ['-e', '']).once('exit', () => resolve(performance.now() - t0));
    });
    process.stdout.write(`smooth-operator start-up benchmark — node ${process.version}, ${opts.runs} runs per backend; bare \`node -e ""\` takes ${r1(baseline)} ms\n\n`);

    const rows = [];
    rows.push(await measure('memory', opts.runs, () => ({ SMOOTH_AGENT_STORAGE: 'memory' })));
    rows.push(await measure('pglite (new dir)', opts.runs, (i) => ({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(scratch, `new-${i}`) })));
    const reused = join(scratch, 'reused');
    await bootOnce({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: reused }); // creates it; not measured
    rows.push(await measure('pglite (existing dir)', opts.runs, () => ({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: reused })));
    if (opts.postgresUrl) {
      rows.push(await measure(`postgres ${redact(opts.postgresUrl)}`, opts.runs, () => ({ SMOOTH_AGENT_STORAGE: 'postgres', SMOOTH_AGENT_DATABASE_URL: opts.postgresUrl })));
    }

    const columns = [
      ['backend', 'backend'],
      ['listenMedianMs', 'listen p50 ms'],
      ['listenMinMs', 'min'],
      ['listenMaxMs', 'max'],
      ['readyMedianMs', 'first session p50 ms'],
      ['rssMedianMb', 'RSS MB'],
    ];
    const cells = rows.map((r) => columns.map(([k]) => String(r[k])));
    const widths = columns.map(([, title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
    const line = (vals) => vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
    process.stdout.write(`${line(columns.map(([, t]) => t))}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ node: process.version, baselineNodeMs: r1(baseline), rows })}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`startup bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
