import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import type { Tool } from '../../src/engine/index.js';
import { traceLogFields } from '../../src/observability/index.js';
import { startHarness } from '../support/harness.js';

/** A real OTLP/HTTP receiver on loopback: it decodes what the exporter POSTs to /v1/traces. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/traces' || req.method !== 'POST') return void res.writeHead(404).end();
      contentTypes.push(req.headers['content-type'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes, server };
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Array<{ stringValue?: string }> }).values ?? []).map((x) => x.stringValue);
  return v;
}

const receivers: Server[] = [];
afterEach(async () => {
  for (const s of receivers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const lookup: Tool = { name: 'lookup', description: 'Look up', parameters: { type: 'object' }, execute: async () => 'found it' };

describe('OpenTelemetry traces over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('a turn span with chat spans per model call and a tool span, GenAI attributes, and log lines carrying the trace id', { timeout: 30_000 }, async () => {
    const receiver = await startReceiver();
    receivers.push(receiver.server);
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info', mixin: traceLogFields },
      new Writable({
        write(chunk: Buffer, _e, done) {
          for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      }),
    );
    const h = await startHarness(
      [
        { kind: 'toolCall', name: 'lookup', arguments: '{}' },
        { kind: 'text', text: 'Here it is.' },
        { kind: 'error', status: 400, body: '{"error":{"message":"bad request"}}' },
      ],
      {
        tools: [lookup],
        logger,
        config: { model: 'test-model', observability: { ...defaultConfig().observability, otlpEndpoint: receiver.url } },
      },
      {},
      { usage: { prompt_tokens: 11, completion_tokens: 7 } },
    );
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'r1', sessionId, message: 'look it up' });
    expect((await client.untilTerminal()).at(-1)!.type).toBe('eventual_response');
    client.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'fail please' });
    expect((await client.untilTerminal()).at(-1)!.type).toBe('error');
    await h.close(); // shutdown flushes the batch

    expect(receiver.contentTypes[0]).toMatch(/application\/json/);
    const turns = receiver.spans.filter((s) => s.name === 'invoke_agent smooth-agent');
    expect(turns).toHaveLength(2);
    const [ok, failed] = [turns.find((t) => attr(t, 'smooth_operator.request_id') === 'r1')!, turns.find((t) => attr(t, 'smooth_operator.request_id') === 'r2')!];
    expect(attr(ok, 'gen_ai.operation.name')).toBe('invoke_agent');
    expect(attr(ok, 'gen_ai.conversation.id')).toEqual(expect.any(String));
    expect(attr(failed, 'error.type')).toBe('AGENT_ERROR');
    expect(failed.status?.code).toBe(2);

    const chats = receiver.spans.filter((s) => s.traceId === ok.traceId && s.name === 'chat test-model');
    expect(chats).toHaveLength(2);
    for (const chat of chats) {
      expect(chat.parentSpanId).toBe(ok.spanId);
      expect(chat.kind).toBe(3); // CLIENT
      expect(attr(chat, 'gen_ai.operation.name')).toBe('chat');
      expect(attr(chat, 'gen_ai.request.model')).toBe('test-model');
      expect(attr(chat, 'gen_ai.usage.input_tokens')).toBe(11);
      expect(attr(chat, 'gen_ai.usage.output_tokens')).toBe(7);
    }
    expect(chats.map((c) => attr(c, 'gen_ai.response.finish_reasons')).sort()).toEqual([['stop'], ['tool_calls']]);
    const tool = receiver.spans.find((s) => s.name === 'execute_tool lookup')!;
    expect(tool.traceId).toBe(ok.traceId);
    expect(tool.parentSpanId).toBe(ok.spanId);
    expect(attr(tool, 'gen_ai.tool.name')).toBe('lookup');

    const failedChat = receiver.spans.find((s) => s.traceId === failed.traceId && s.name === 'chat test-model')!;
    expect(failedChat.status?.code).toBe(2);

    // The failure was logged inside the turn: the line carries that turn's trace id.
    const logged = lines.find((l) => l.msg === 'turn failed');
    expect(logged?.trace_id).toBe(failed.traceId);
    expect(lines.find((l) => l.msg === 'turn failed' && l.trace_id === undefined)).toBeUndefined();
  });
});
