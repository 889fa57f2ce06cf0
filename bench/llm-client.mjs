#!/usr/bin/env node
// Client-side cost of one streamed chat completion: the `openai` SDK (as the server used it before)
// against the server's own provider (undici Pool + eventsource-parser), in one process, against the
// scripted gateway in its own process. Blocks of requests alternate between the two so the machine's
// load hits both alike; CPU is this process's process.cpuUsage(), which excludes the gateway.
//
// Usage: npm run build && node bench/llm-client.mjs [--requests 2000] [--concurrency 1] [--blocks 10]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { OpenAiProvider } from '../dist/llm/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer`);
  return n;
};
const requests = Math.min(arg('--requests', 2000), 50_000);
const concurrency = Math.min(arg('--concurrency', 1), 200);
const blocks = Math.min(arg('--blocks', 10), 100);

const gateway = spawn(process.execPath, [join(HERE, 'gateway-process.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const info = await new Promise((resolve, reject) => {
  let buf = '';
  gateway.stdout.setEncoding('utf8');
  gateway.stdout.on('data', (d) => {
    buf += d;
    const nl = buf.indexOf('\n');
    if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
  });
  gateway.once('exit', () => reject(new Error('gateway exited')));
  setTimeout(() => reject(new Error('gateway did not start')), 15_000).unref();
});
if (!info.url.startsWith('http://127.0.0.1:')) throw new Error('gateway not on loopback');

const messages = [
  { role: 'system', content: 'You are a helpful customer-support agent.' },
  { role: 'user', content: 'hi' },
];
const tools = [{ name: 'knowledge_search', description: 'Search the knowledge base', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } }];

// The SDK path exactly as src/llm/openai-provider.ts drove it before (one client per key, retries off).
const sdk = new OpenAI({ apiKey: 'bench-key', baseURL: info.url, maxRetries: 0, timeout: 120_000 });
async function viaSdk() {
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, new AbortController().signal]);
  const { data: stream, response } = await sdk.chat.completions
    .create(
      {
        model: 'm',
        messages,
        tools: tools.map((t) => ({ type: 'function', function: t })),
        tool_choice: 'auto',
        temperature: 0,
        max_tokens: 1024,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    )
    .withResponse();
  response.headers.get('x-litellm-response-cost');
  let text = '';
  for await (const chunk of stream) {
    const d = chunk.choices[0]?.delta;
    if (d?.content) text += d.content;
  }
  return text;
}

const lean = new OpenAiProvider({ baseUrl: info.url, maxRetries: 0, idleTimeoutMs: 120_000, firstTokenTimeoutMs: 60_000 });
async function viaLean() {
  const r = await lean.complete({ model: 'm', messages, tools, maxTokens: 1024, apiKey: 'bench-key', signal: new AbortController().signal, onText: () => {} });
  return r.text;
}

async function block(fn, n) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const text = await fn();
        if (text !== info.sentence) throw new Error('unexpected text');
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 };
}

for (const fn of [viaSdk, viaLean]) await block(fn, 200); // warm-up: JIT, sockets
const totals = { sdk: { cpuMs: 0, wallMs: 0, n: 0 }, lean: { cpuMs: 0, wallMs: 0, n: 0 } };
const per = Math.ceil(requests / blocks);
for (let b = 0; b < blocks; b++) {
  const order = b % 2 === 0 ? [['sdk', viaSdk], ['lean', viaLean]] : [['lean', viaLean], ['sdk', viaSdk]];
  for (const [name, fn] of order) {
    const r = await block(fn, per);
    totals[name].cpuMs += r.cpuMs;
    totals[name].wallMs += r.wallMs;
    totals[name].n += per;
  }
}
const row = (name) => {
  const t = totals[name];
  return { name, requests: t.n, cpuMsPerRequest: Math.round((t.cpuMs / t.n) * 1000) / 1000, requestsPerSec: Math.round(t.n / (t.wallMs / 1000)) };
};
const s = row('sdk');
const l = row('lean');
process.stdout.write(
  `client CPU per streamed completion (${info.chunks} SSE deltas, concurrency ${concurrency}, ${blocks} alternating blocks)\n` +
    `  openai SDK            ${s.cpuMsPerRequest.toFixed(3)} ms/request  ${s.requestsPerSec} req/s\n` +
    `  undici Pool + parser  ${l.cpuMsPerRequest.toFixed(3)} ms/request  ${l.requestsPerSec} req/s\n` +
    `  SDK overhead over the lean path: ${Math.round((s.cpuMsPerRequest / l.cpuMsPerRequest - 1) * 100)}% more CPU per request\n`,
);
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ concurrency, sdk: s, lean: l })}\n`);
await lean.close();
gateway.kill('SIGTERM');
process.exit(0);
