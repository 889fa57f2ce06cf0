#!/usr/bin/env node
// Soak benchmark (not CI): mixed traffic at a steady rate against two real `serve` processes that share
// Postgres and a Redis backplane, with a fault injected every minute, then an audit of what was said
// against what was stored.
//
//   node bench/soak.mjs [--minutes 10] [--rate 4] [--clients 12]
//
// Traffic: plain turns, turns that call a webhook tool, turns that park on an approval and are
// confirmed (half of them from a second connection, often on the other replica), and reconnects
// between turns. Faults, one per minute in turn: Postgres restart, Redis restart, a 20 s burst of
// gateway 500s, a rolling SIGTERM + restart of one serve process, NATS-free gateway stall burst.
// It RESTARTS the machine's Postgres and Redis (the commands of test/faults/services): do not run it
// while other service-backed tests run.
//
// Printed: turns sent / completed / failed cleanly (by code) and the three that must be 0 — lost (a
// reply the client was given that is not stored), duplicated (two terminal events for one turn),
// hung (no terminal event within 90 s) — turn latency p50/p99, and each server's RSS at start and end.
// Exit code 1 when any of the three is not 0. Build first: `npm run build`.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const run = promisify(execFile);

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
const MINUTES = option('minutes', 10);
const RATE = option('rate', 4); // turns per second, all clients together
const CLIENTS = option('clients', 12);
const HUNG_MS = 90_000;
if (!existsSync(CLI)) {
  process.stderr.write('dist/ is missing: run `npm run build` first\n');
  process.exit(2);
}

// ---------------------------------------------------------------- fixtures: gateway, tools, database

let gatewayMode = 'ok'; // 'ok' | 'errors' | 'stall'
const gateway = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (gatewayMode === 'errors') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"soak"}}');
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const last = body.messages?.at(-1);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (delta, finish = null) =>
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    const finish = (reason) => {
      send({}, reason);
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    };
    const wantsTool = last?.role === 'user' && /^(tool|approve)/.test(String(last.content));
    if (wantsTool) {
      const name = String(last.content).startsWith('approve') ? 'delete_record' : 'lookup_order';
      send({ role: 'assistant', tool_calls: [{ index: 0, id: `call_${randomBytes(4).toString('hex')}`, type: 'function', function: { name, arguments: '{"id":"42"}' } }] });
      return finish('tool_calls');
    }
    if (gatewayMode === 'stall') return; // never answers: the first-token budget must end the turn
    const words = 'Thanks for asking. Here is what I found for you today.'.split(' ');
    let i = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      if (i < words.length) return send(i === 0 ? { role: 'assistant', content: words[i++] } : { content: ` ${words[i++]}` });
      clearInterval(tick);
      finish('stop');
    }, 15);
  });
});
const tools = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url === '/delete' ? 'Record 42 deleted.' : 'Order 42 shipped.'));
});
await Promise.all([gateway, tools].map((s) => new Promise((r) => s.listen(0, '127.0.0.1', r))));
const gatewayUrl = `http://127.0.0.1:${gateway.address().port}/v1`;
const toolsUrl = `http://127.0.0.1:${tools.address().port}`;
const scratch = mkdtempSync(join(tmpdir(), 'so-soak-'));
const toolsFile = join(scratch, 'tools.json');
writeFileSync(
  toolsFile,
  JSON.stringify([
    { name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object' }, url: `${toolsUrl}/lookup` },
    { name: 'delete_record', description: 'Delete a record', parameters: { type: 'object' }, url: `${toolsUrl}/delete` },
  ]),
);
const dbName = `so_soak_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;

// ---------------------------------------------------------------- servers

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SMOOTH_AGENT_') && !k.startsWith('SMOOAI_'))),
  SMOOTH_AGENT_PORT: '0',
  SMOOTH_AGENT_LOG_LEVEL: 'error',
  SMOOTH_AGENT_STORAGE: 'postgres',
  SMOOTH_AGENT_DATABASE_URL: databaseUrl,
  SMOOTH_AGENT_BACKPLANE: 'redis',
  SMOOTH_AGENT_REDIS_URL: 'redis://127.0.0.1:6379',
  SMOOAI_GATEWAY_URL: gatewayUrl,
  SMOOAI_GATEWAY_KEY: 'soak-key',
  SMOOTH_AGENT_CONFIRM_TOOLS: 'delete',
  SMOOTH_AGENT_TOOLS_FILE: toolsFile,
  SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP: '0',
  SMOOTH_AGENT_LLM_IDLE_TIMEOUT_MS: '5000',
  SMOOTH_AGENT_FIRST_TOKEN_TIMEOUT_MS: '8000',
  SMOOTH_AGENT_DRAIN_TIMEOUT_MS: '20000',
};

function rss(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(/(\d+)/.exec(line)[1]) * 1024;
  } catch {
    return NaN;
  }
}

async function startServe(slot) {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(ws:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  const server = { slot, child, url, rssStart: rss(child.pid), startedAt: Date.now(), crashed: false };
  child.once('exit', (code, signal) => {
    if (!server.stopping) {
      server.crashed = true;
      log(`serve ${slot} exited unexpectedly (${code ?? signal}): ${err.slice(-500)}`);
    }
  });
  return server;
}
const servers = [await startServe(0), await startServe(1)];
const rssFirst = servers.map((s) => s.rssStart);

// ---------------------------------------------------------------- accounting

const t0 = performance.now();
const log = (msg) => process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
const turns = new Map(); // requestId -> { sentAt, terminals: [], conversationId, messageId? }
const latencies = [];
const failedByCode = new Map();
let reconnects = 0;
let approvals = 0;

let handoffs = 0;
function track(requestId, conversationId, ws) {
  const turn = { sentAt: performance.now(), terminals: [], conversationId, cut: false };
  turns.set(requestId, turn);
  ws.turns.add(turn);
}
function onFrame(frame) {
  const rid = frame.requestId;
  const turn = rid && turns.get(rid);
  if (!turn) return;
  if (frame.type === 'eventual_response') {
    turn.terminals.push('eventual_response');
    turn.messageId = frame.data?.data?.messageId;
    if (turn.terminals.length === 1) latencies.push(performance.now() - turn.sentAt);
  } else if (frame.type === 'error' && frame.error?.code === 'TURN_CONTINUED_ELSEWHERE') {
    // The parked copy stepping aside for the replica that took the confirm: not the turn's end.
    handoffs++;
  } else if (frame.type === 'error' || frame.type === 'cancelled') {
    turn.terminals.push(frame.type);
    const code = frame.error?.code ?? frame.type;
    if (turn.terminals.length === 1) failedByCode.set(code, (failedByCode.get(code) ?? 0) + 1);
  }
}

// ---------------------------------------------------------------- clients

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const waiters = new Set();
    ws.turns = new Set();
    // A restart closing the socket under a turn ends it there without a terminal event, by design.
    ws.once('close', () => {
      for (const turn of ws.turns) if (!stopping && turn.terminals.length === 0) turn.cut = true;
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      onFrame(frame);
      for (const w of waiters) w(frame);
    });
    ws.waitFor = (predicate, ms) =>
      new Promise((res, rej) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          ws.off('close', onClose);
        };
        const timer = setTimeout(() => {
          done();
          rej(new Error('timeout'));
        }, ms);
        const check = (f) => {
          if (!predicate(f)) return;
          done();
          res(f);
        };
        const onClose = () => {
          done();
          rej(new Error('closed'));
        };
        waiters.add(check);
        ws.once('close', onClose);
      });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let stopping = false;
let seq = 0;
const pickServer = () => {
  const live = servers.filter((s) => !s.stopping && !s.crashed);
  return live[Math.floor(Math.random() * live.length)] ?? servers[0];
};

async function clientLoop(id) {
  let ws;
  let sessionId;
  let conversationId;
  const open = async () => {
    for (;;) {
      try {
        ws = await connect(pickServer().url);
        if (!sessionId) {
          ws.send(JSON.stringify({ action: 'create_conversation_session', requestId: `create-${id}`, userName: `soak-${id}` }));
          const created = await ws.waitFor((f) => f.requestId === `create-${id}` && f.type === 'immediate_response', 10_000);
          ({ sessionId, conversationId } = created.data);
        }
        return;
      } catch {
        ws?.terminate();
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  await open();
  const interval = (CLIENTS / RATE) * 1000;
  while (!stopping) {
    const started = Date.now();
    if (ws.readyState !== WebSocket.OPEN) await open();
    const roll = Math.random();
    if (roll < 0.1) {
      reconnects++;
      ws.close();
      await open();
    } else {
      const kind = roll < 0.6 ? 'plain' : roll < 0.8 ? 'tool' : 'approve';
      const requestId = `t${id}-${++seq}`;
      track(requestId, conversationId, ws);
      ws.send(JSON.stringify({ action: 'send_message', requestId, sessionId, message: kind === 'plain' ? 'hello there' : `${kind} 42` }));
      try {
        if (kind === 'approve') {
          await ws.waitFor((f) => f.requestId === requestId && ['write_confirmation_required', 'eventual_response', 'error'].includes(f.type), 30_000).then(async (f) => {
            if (f.type !== 'write_confirmation_required') return;
            approvals++;
            // Half the confirms come from a second connection (often the other replica).
            if (Math.random() < 0.5) {
              const other = await connect(pickServer().url);
              other.send(JSON.stringify({ action: 'confirm_tool_action', requestId: `c-${requestId}`, sessionId, approved: true }));
              await Promise.race([
                other.waitFor((x) => x.requestId === requestId && ['eventual_response', 'error'].includes(x.type), 60_000),
                ws.waitFor((x) => x.requestId === requestId && ['eventual_response', 'error'].includes(x.type), 60_000),
              ]).catch(() => undefined);
              setTimeout(() => other.close(), 2_000);
            } else {
              ws.send(JSON.stringify({ action: 'confirm_tool_action', requestId: `c-${requestId}`, sessionId, approved: true }));
            }
          });
        }
        await ws.waitFor((f) => f.requestId === requestId && ['eventual_response', 'error', 'cancelled'].includes(f.type), 60_000);
      } catch {
        // Closed by a restart or a timeout: the audit decides whether that turn was lost or hung.
      }
    }
    const wait = interval - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
  }
  ws.close();
}

// ---------------------------------------------------------------- faults

const until = async (probe, ms) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};
const pgUp = () => run('pg_isready', ['-h', '127.0.0.1', '-q']).then(() => true);
const redisUp = () => run('redis-cli', ['ping']).then(({ stdout }) => stdout.trim() === 'PONG');
const FAULTS = [
  async function postgresRestart() {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart']);
    await until(pgUp, 30_000);
  },
  async function redisRestart() {
    await run('redis-cli', ['shutdown', 'nosave']).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2_000));
    await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log']);
    await until(redisUp, 15_000);
  },
  async function gatewayErrorBurst() {
    gatewayMode = 'errors';
    await new Promise((r) => setTimeout(r, 20_000));
    gatewayMode = 'ok';
  },
  async function rollingRestart() {
    const victim = servers[Math.floor(Math.random() * servers.length)];
    victim.stopping = true;
    const exited = new Promise((r) => victim.child.once('exit', r));
    victim.child.kill('SIGTERM');
    await exited;
    const replacement = await startServe(victim.slot);
    servers[victim.slot] = replacement;
  },
  async function gatewayStallBurst() {
    gatewayMode = 'stall';
    await new Promise((r) => setTimeout(r, 15_000));
    gatewayMode = 'ok';
  },
];

// ---------------------------------------------------------------- run

log(`soak: ${MINUTES} min, ${RATE} turns/s over ${CLIENTS} clients, 2 serve processes (postgres + redis backplane)`);
const loops = Array.from({ length: CLIENTS }, (_, i) => clientLoop(i));
const endAt = Date.now() + MINUTES * 60_000;
let faultIndex = 0;
const faultLog = [];
while (Date.now() < endAt) {
  const nextFault = Math.min(endAt, Date.now() + 60_000);
  await new Promise((r) => setTimeout(r, Math.max(0, nextFault - Date.now())));
  if (Date.now() >= endAt - 5_000) break;
  const fault = FAULTS[faultIndex++ % FAULTS.length];
  const started = performance.now();
  try {
    await fault();
    faultLog.push(`${fault.name} ${((performance.now() - started) / 1000).toFixed(1)} s`);
    log(`fault: ${fault.name} done`);
  } catch (err) {
    faultLog.push(`${fault.name} FAILED: ${err.message}`);
    log(`fault: ${fault.name} failed: ${err.message}`);
  }
}
stopping = true;
await Promise.all(loops);
// Let the last turns finish before the audit.
await new Promise((r) => setTimeout(r, 5_000));

// ---------------------------------------------------------------- audit

await until(pgUp, 30_000);
const check = new pg.Client({ connectionString: databaseUrl });
await check.connect();
let lost = 0;
let duplicated = 0;
let hung = 0;
let completed = 0;
const now = performance.now();
for (const [requestId, turn] of turns) {
  if (turn.terminals.length > 1) duplicated++;
  if (turn.terminals.length === 0) {
    // Hung: no terminal on a socket that stayed open.
    if (!turn.cut && now - turn.sentAt > HUNG_MS) hung++;
    continue;
  }
  if (turn.messageId) {
    completed++;
    const { rows } = await check.query('SELECT 1 FROM conversation_messages WHERE id = $1', [turn.messageId]);
    if (rows.length === 0) {
      lost++;
      log(`lost: ${requestId} (message ${turn.messageId})`);
    }
  }
}
await check.end();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(0) : 'n/a');
const cut = [...turns.values()].filter((t) => t.terminals.length === 0 && t.cut).length;
const pending = [...turns.values()].filter((t) => t.terminals.length === 0 && !t.cut).length - hung;
process.stdout.write(
  [
    '',
    `turns sent            ${turns.size} (${(turns.size / (MINUTES * 60)).toFixed(1)}/s achieved)`,
    `completed             ${completed}`,
    `failed cleanly        ${[...failedByCode].map(([c, n]) => `${c}=${n}`).join(' ') || 0}`,
    `cut by a restart      ${cut} (socket closed under the turn; no terminal expected there)`,
    `approvals confirmed   ${approvals}, handed to another replica ${handoffs}, reconnects ${reconnects}`,
    `unfinished at the end ${pending} (younger than ${HUNG_MS / 1000} s)`,
    `LOST                  ${lost}`,
    `DUPLICATED            ${duplicated}`,
    `HUNG                  ${hung}`,
    `latency ms            p50 ${pct(50)}  p99 ${pct(99)}`,
    ...servers.map((s, i) => `serve ${i} RSS         start ${(rssFirst[i] / 2 ** 20).toFixed(0)} MiB (first process) / ${(s.rssStart / 2 ** 20).toFixed(0)} MiB (current, up ${((Date.now() - s.startedAt) / 60_000).toFixed(1)} min) -> end ${(rss(s.child.pid) / 2 ** 20).toFixed(0)} MiB`),
    `faults                ${faultLog.join('; ')}`,
    `crashes               ${servers.filter((s) => s.crashed).length}`,
    '',
  ].join('\n'),
);

for (const s of servers) {
  s.stopping = true;
  s.child.kill('SIGTERM');
}
await Promise.all(servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r() : s.child.once('exit', r)))));
gateway.closeAllConnections();
tools.closeAllConnections();
gateway.close();
tools.close();
const drop = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await drop.connect();
await drop.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await drop.end();
process.exit(lost || duplicated || hung ? 1 : 0);
