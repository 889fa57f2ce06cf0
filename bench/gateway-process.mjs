// Scripted OpenAI-compatible gateway in its own process, for bench/turns.mjs.
//
// Every chat completion is answered with the same fixed sentence, streamed in
// 4-character chunks (~40 chunks). Prints one JSON line `{"url": ...}` on
// stdout once listening, then runs until SIGTERM/SIGINT or until its stdin is
// closed (so it never outlives the bench driver that spawned it).
import { startScriptedGateway } from '../dist/testing/index.js';

const SENTENCE =
  'Thanks for reaching out! I have checked your account and everything looks fine; ' +
  'your order shipped today and should arrive within three business days. Anything else?';

const chunkSize = Number(process.env.BENCH_GATEWAY_CHUNK_SIZE ?? 4);
const delayMs = Number(process.env.BENCH_GATEWAY_DELAY_MS ?? 0);

const gateway = await startScriptedGateway({
  respond: () => ({ kind: 'text', text: SENTENCE, chunkSize, delayMs }),
  usage: { prompt_tokens: 50, completion_tokens: 40 },
  costUsd: 0.0001,
});

// The gateway records every request; drop them so a long run stays flat.
const trim = setInterval(() => {
  gateway.requests.length = 0;
}, 1000);
trim.unref();

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  clearInterval(trim);
  const force = setTimeout(() => process.exit(code), 2000);
  force.unref();
  try {
    await gateway.close();
  } finally {
    process.exit(code);
  }
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
// Parent gone (pipe closed) → go away too.
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();

process.stdout.write(JSON.stringify({ url: gateway.url, pid: process.pid, chunks: Math.ceil(SENTENCE.length / chunkSize), sentence: SENTENCE }) + '\n');
