import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleRetrievalEndpoint, type RetrievalRequest } from './retrieval-endpoints.js';

// A scripted OpenAI-compatible gateway. It is a real HTTP server (not a fetch
// mock) so that tests exercise the exact code paths production uses: the
// `openai` SDK's transport, SSE parsing, abort propagation and socket errors.

export type ScriptStep =
  | { kind: 'text'; text: string; chunkSize?: number; delayMs?: number }
  | { kind: 'toolCall'; name: string; arguments: string; id?: string; argChunks?: number }
  | { kind: 'toolCalls'; calls: Array<{ name: string; arguments: string; id?: string }> }
  | { kind: 'error'; status: number; body?: string; retryAfterMs?: number }
  | { kind: 'hang'; text?: string }
  | { kind: 'dieMidStream'; text: string }
  | { kind: 'stall'; text?: string }
  /** Streams the text, then ends the response cleanly with neither a finish_reason nor `[DONE]`. */
  | { kind: 'truncate'; text: string };

export interface ChatRequestToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatRequestContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface ChatRequestMessage {
  role: string;
  content?: string | null | ChatRequestContentPart[];
  name?: string;
  tool_calls?: ChatRequestToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatRequestTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

export type ChatRequestToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } };

// The body is whatever the client sent, parsed but not validated: tests want to
// assert on what was actually put on the wire, including malformed input.
export interface ChatRequestBody {
  model: string;
  messages: ChatRequestMessage[];
  tools?: ChatRequestTool[];
  tool_choice?: ChatRequestToolChoice;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  [key: string]: unknown;
}

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ChatRequestBody;
  closedByClient: boolean;
  receivedAt: number;
}

export interface ScriptedGatewayOptions {
  script?: ScriptStep[];
  respond?: (req: RecordedRequest, index: number) => ScriptStep;
  usage?: { prompt_tokens: number; completion_tokens: number };
  costUsd?: number;
  requireKey?: string;
}

export interface ScriptedGateway {
  url: string;
  requests: RecordedRequest[];
  /** Calls to /v1/embeddings and /v1/rerank, which answer deterministically without a script. */
  retrievalRequests: RetrievalRequest[];
  push(...steps: ScriptStep[]): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  waitForClientClose(index: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_CHUNK_SIZE = 4;
const DEFAULT_ARG_CHUNKS = 3;
const CHAT_PATH = '/v1/chat/completions';

interface ToolCallSpec {
  id: string;
  name: string;
  arguments: string;
  argChunks: number;
}

type Answer =
  | { kind: 'text'; text: string; chunkSize: number; delayMs: number }
  | { kind: 'tools'; calls: ToolCallSpec[] };

// Splits by code point so a chunk boundary never lands inside a surrogate pair;
// a lone surrogate would be replaced by U+FFFD when JSON-encoded and the
// reassembled text would no longer equal the scripted text.
function splitBySize(text: string, size: number): string[] {
  const chars = Array.from(text);
  const step = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += step) out.push(chars.slice(i, i + step).join(''));
  return out;
}

function splitIntoParts(text: string, parts: number): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const n = Math.min(chars.length, Math.max(1, Math.floor(parts)));
  return splitBySize(text, Math.ceil(chars.length / n));
}

function errorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'api_error';
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body).toString(),
  });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type: errorType(status), param: null, code: null } }, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // An aborted upload emits neither 'end' nor necessarily 'error'.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Per-response lifecycle. Any pending delay or backpressure wait must be
 * released the moment the socket goes away, otherwise a streamed step would
 * keep a timer alive after the client aborted and leak into the next test.
 */
class ResponseLife {
  ended = false;
  killedByServer = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onEnd = new Set<() => void>();

  constructor(readonly res: ServerResponse) {}

  markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const fn of this.onEnd) fn();
    this.onEnd.clear();
  }

  untilEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.onEnd.add(resolve));
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.onEnd.delete(resolve);
        resolve();
      }, ms);
      this.timers.add(t);
      this.onEnd.add(resolve);
    });
  }

  async write(data: string): Promise<void> {
    if (this.ended) return;
    if (this.res.write(data)) return;
    // Honour backpressure so benchmark-sized scripts do not buffer unbounded.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.onEnd.delete(done);
        resolve();
      };
      this.res.on('drain', done);
      this.onEnd.add(done);
    });
  }

  // Resolves once the bytes have been handed to the OS, so a following
  // socket.destroy() cannot discard them.
  flushed(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.onEnd.add(resolve);
      this.res.write('', () => {
        this.onEnd.delete(resolve);
        resolve();
      });
    });
  }
}

export async function startScriptedGateway(opts: ScriptedGatewayOptions = {}): Promise<ScriptedGateway> {
  const script: ScriptStep[] = [...(opts.script ?? [])];
  const requests: RecordedRequest[] = [];
  const usage = opts.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  const lives = new Set<ResponseLife>();
  const listeners = new Set<() => void>();
  let closing = false;
  let completionSeq = 0;
  let toolCallSeq = 0;

  const notify = (): void => {
    for (const fn of [...listeners]) fn();
  };

  const commonHeaders = (): Record<string, string> =>
    opts.costUsd !== undefined ? { 'x-litellm-response-cost': String(opts.costUsd) } : {};

  const nextStep = (rec: RecordedRequest, index: number): ScriptStep | undefined => {
    const fromScript = script.shift();
    if (fromScript) return fromScript;
    return opts.respond?.(rec, index);
  };

  const toAnswer = (step: Extract<ScriptStep, { kind: 'text' | 'toolCall' | 'toolCalls' }>): Answer => {
    if (step.kind === 'text') {
      return {
        kind: 'text',
        text: step.text,
        chunkSize: step.chunkSize ?? DEFAULT_CHUNK_SIZE,
        delayMs: step.delayMs ?? 0,
      };
    }
    const calls = step.kind === 'toolCall' ? [step] : step.calls;
    return {
      kind: 'tools',
      calls: calls.map((c) => ({
        id: c.id ?? `call_${++toolCallSeq}`,
        name: c.name,
        arguments: c.arguments,
        argChunks: 'argChunks' in c && typeof c.argChunks === 'number' ? c.argChunks : DEFAULT_ARG_CHUNKS,
      })),
    };
  };

  const completionUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };

  const answerNonStreaming = (res: ServerResponse, body: ChatRequestBody, answer: Answer): void => {
    const message =
      answer.kind === 'text'
        ? { role: 'assistant', content: answer.text, refusal: null }
        : {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: answer.calls.map((c) => ({
              id: c.id,
              type: 'function',
              function: { name: c.name, arguments: c.arguments },
            })),
          };
    sendJson(
      res,
      200,
      {
        id: `chatcmpl-scripted-${++completionSeq}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message,
            logprobs: null,
            finish_reason: answer.kind === 'text' ? 'stop' : 'tool_calls',
          },
        ],
        usage: completionUsage,
      },
      commonHeaders(),
    );
  };

  interface SseWriter {
    delta(delta: Record<string, unknown>, finishReason?: string): Promise<void>;
    raw(payload: Record<string, unknown>): Promise<void>;
  }

  const openSse = (res: ServerResponse, life: ResponseLife, body: ChatRequestBody): SseWriter => {
    res.writeHead(200, {
      ...commonHeaders(),
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    // The SDK's create() only resolves once headers arrive; without an explicit
    // flush a hang step with no text would never deliver them.
    res.flushHeaders();
    const id = `chatcmpl-scripted-${++completionSeq}`;
    const created = Math.floor(Date.now() / 1000);
    const raw = (payload: Record<string, unknown>): Promise<void> =>
      life.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, ...payload })}\n\n`);
    return {
      raw,
      delta: (delta, finishReason) =>
        raw({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason ?? null }] }),
    };
  };

  const streamTextDeltas = async (sse: SseWriter, life: ResponseLife, text: string, chunkSize: number, delayMs: number): Promise<void> => {
    const pieces = splitBySize(text, chunkSize);
    // Role rides on the first delta, as OpenAI does; an empty text still needs it.
    if (pieces.length === 0) pieces.push('');
    for (let i = 0; i < pieces.length && !life.ended; i++) {
      if (i > 0) await life.sleep(delayMs);
      await sse.delta(i === 0 ? { role: 'assistant', content: pieces[i] } : { content: pieces[i] });
    }
  };

  const answerStreaming = async (res: ServerResponse, life: ResponseLife, body: ChatRequestBody, answer: Answer): Promise<void> => {
    const sse = openSse(res, life, body);
    if (answer.kind === 'text') {
      await streamTextDeltas(sse, life, answer.text, answer.chunkSize, answer.delayMs);
    } else {
      let first = true;
      for (const [index, call] of answer.calls.entries()) {
        const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
        await sse.delta(first ? { role: 'assistant', content: null, tool_calls: [head] } : { tool_calls: [head] });
        first = false;
        for (const piece of splitIntoParts(call.arguments, call.argChunks)) {
          await sse.delta({ tool_calls: [{ index, function: { arguments: piece } }] });
        }
      }
    }
    await sse.delta({}, answer.kind === 'text' ? 'stop' : 'tool_calls');
    if (body.stream_options?.include_usage === true) {
      await sse.raw({ choices: [], usage: completionUsage });
    }
    await life.write('data: [DONE]\n\n');
    if (!life.ended) res.end();
  };

  const handleChat = async (req: IncomingMessage, res: ServerResponse, life: ResponseLife, path: string): Promise<void> => {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      sendError(res, 400, 'request body is not valid JSON', commonHeaders());
      return;
    }
    if (!isRecord(parsed)) {
      sendError(res, 400, 'request body must be a JSON object', commonHeaders());
      return;
    }
    const body = parsed as ChatRequestBody;
    const rec: RecordedRequest = {
      path,
      headers: { ...req.headers },
      body,
      closedByClient: false,
      receivedAt: Date.now(),
    };
    const index = requests.length;
    requests.push(rec);

    res.on('close', () => {
      // Our own dieMidStream destroy and gateway shutdown also close the
      // socket; only a disconnect the server did not initiate counts.
      if (!res.writableFinished && !life.killedByServer && !closing) {
        rec.closedByClient = true;
      }
      life.markEnded();
      notify();
    });
    notify();

    if (opts.requireKey !== undefined && req.headers.authorization !== `Bearer ${opts.requireKey}`) {
      sendError(res, 401, 'invalid or missing API key', commonHeaders());
      return;
    }

    const step = nextStep(rec, index);
    if (!step) {
      sendError(res, 500, 'script exhausted', commonHeaders());
      return;
    }

    const streaming = body.stream === true;
    switch (step.kind) {
      case 'text':
      case 'toolCall':
      case 'toolCalls': {
        const answer = toAnswer(step);
        if (streaming) await answerStreaming(res, life, body, answer);
        else answerNonStreaming(res, body, answer);
        return;
      }
      case 'error': {
        const headers = commonHeaders();
        if (step.retryAfterMs !== undefined) {
          headers['retry-after-ms'] = String(step.retryAfterMs);
          headers['retry-after'] = String(Math.ceil(step.retryAfterMs / 1000));
        }
        sendError(res, step.status, step.body ?? `scripted error ${step.status}`, headers);
        return;
      }
      case 'hang':
      case 'stall': {
        if (streaming) {
          const sse = openSse(res, life, body);
          if (step.text !== undefined) await streamTextDeltas(sse, life, step.text, DEFAULT_CHUNK_SIZE, 0);
        }
        await life.untilEnded();
        return;
      }
      case 'truncate': {
        if (streaming) {
          const sse = openSse(res, life, body);
          await streamTextDeltas(sse, life, step.text, DEFAULT_CHUNK_SIZE, 0);
        }
        if (!life.ended) res.end();
        return;
      }
      case 'dieMidStream': {
        if (streaming) {
          const sse = openSse(res, life, body);
          await streamTextDeltas(sse, life, step.text, DEFAULT_CHUNK_SIZE, 0);
          await life.flushed();
        }
        // Mark first so the resulting 'close' is not attributed to the client.
        life.killedByServer = true;
        life.markEnded();
        res.destroy();
        return;
      }
    }
  };

  const retrievalRequests: RetrievalRequest[] = [];
  const server = createServer((req, res) => {
    const life = new ResponseLife(res);
    lives.add(life);
    res.on('close', () => {
      life.markEnded();
      lives.delete(life);
    });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST' && path === CHAT_PATH) {
      handleChat(req, res, life, path).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, `scripted gateway failure: ${String(err)}`, commonHeaders());
        else {
          life.killedByServer = true;
          res.destroy();
        }
      });
      return;
    }
    handleRetrievalEndpoint(path, req, res, (r) => retrievalRequests.push(r))
      .then((handled) => {
        if (handled) return;
        req.resume();
        sendError(res, 404, `no route for ${req.method ?? '?'} ${path}`, commonHeaders());
      })
      .catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 400, `bad retrieval request: ${String(err)}`, commonHeaders());
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const waitFor = (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate()) return resolve();
      const check = (): void => {
        if (predicate()) {
          cleanup();
          resolve();
        } else if (closing) {
          cleanup();
          reject(new Error(`scripted gateway closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
    });

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    retrievalRequests,
    push(...steps) {
      script.push(...steps);
    },
    waitForRequests(n, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(() => requests.length >= n, timeoutMs, `${n} request(s) (have ${requests.length})`);
    },
    waitForClientClose(index, timeoutMs = DEFAULT_WAIT_MS) {
      return waitFor(() => requests[index]?.closedByClient === true, timeoutMs, `client to close request #${index}`);
    },
    async close() {
      if (closing) return;
      closing = true;
      notify();
      for (const life of lives) life.markEnded();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function scriptFromConformance(
  mock: Array<{ kind: 'text'; text: string } | { kind: 'toolCall'; name: string; arguments: string }>,
): ScriptStep[] {
  return mock.map((m): ScriptStep =>
    m.kind === 'text'
      ? { kind: 'text', text: m.text }
      : { kind: 'toolCall', name: m.name, arguments: m.arguments },
  );
}
