import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import type { Tool } from '../../src/engine/index.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import type { Message } from '../../src/storage/index.js';
import { startHarness } from '../support/harness.js';
import { deleteTool, eventually } from './support.js';

const TOKEN = 'scrape-token-123';
const observability = { ...defaultConfig().observability, metrics: true, metricsToken: TOKEN };

async function scrape(httpUrl: string, token = TOKEN): Promise<string> {
  const res = await fetch(`${httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample, e.g. value(text, 'smooth_operator_turns_total{outcome="completed",code=""}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

class FailingOutbound extends MemoryStorage {
  failNext = false;
  override async appendMessage(message: Message): Promise<Message> {
    if (message.direction === 'outbound' && this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    return super.appendMessage(message);
  }
}

const lookup: Tool = { name: 'lookup', description: 'Look up', parameters: { type: 'object' }, execute: async () => 'found it' };

describe('GET /metrics (SMOOTH_AGENT_METRICS=1)', () => {
  it('counts turns by outcome and code, tool calls, retries, storage errors, sockets, parked approvals and TTFT', { timeout: 30_000 }, async () => {
    const storage = new FailingOutbound();
    const h = await startHarness(
      [
        { kind: 'toolCall', name: 'lookup', arguments: '{}' },
        { kind: 'text', text: 'Here it is.' },
        { kind: 'error', status: 500 },
        { kind: 'error', status: 500 },
        { kind: 'error', status: 500 },
        { kind: 'text', text: 'Saved?' },
        { kind: 'toolCall', name: 'delete_record', arguments: '{"id":"1"}' },
      ],
      { storage, tools: [lookup, deleteTool()], config: { observability, confirmToolPatterns: ['delete'] } },
      { maxRetries: 2 },
    );
    const { client, sessionId } = await h.session();
    client.send({ action: 'send_message', requestId: 'ok', sessionId, message: 'look it up' });
    expect((await client.untilTerminal()).at(-1)!.type).toBe('eventual_response');
    client.send({ action: 'send_message', requestId: 'fail', sessionId, message: 'again' });
    expect((await client.untilTerminal()).at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    storage.failNext = true;
    client.send({ action: 'send_message', requestId: 'store', sessionId, message: 'save' });
    expect((await client.untilTerminal()).at(-1)).toMatchObject({ type: 'error', error: { code: 'AGENT_ERROR' } });
    client.send({ action: 'send_message', requestId: 'park', sessionId, message: 'delete 1' });
    await client.nextOfType('write_confirmation_required');

    const text = await scrape(h.server.httpUrl);
    expect(value(text, 'smooth_operator_turns_total{outcome="completed",code=""}')).toBe(1);
    expect(value(text, 'smooth_operator_turns_total{outcome="failed",code="AGENT_ERROR"}')).toBe(2);
    expect(value(text, 'smooth_operator_tool_calls_total{tool="lookup",outcome="ok"}')).toBe(1);
    expect(value(text, 'smooth_operator_gateway_retries_total')).toBe(2);
    expect(value(text, 'smooth_operator_storage_errors_total{operation="appendMessage"}')).toBe(1);
    expect(value(text, 'smooth_operator_open_sockets')).toBe(1);
    expect(value(text, 'smooth_operator_parked{kind="approval"}')).toBe(1);
    expect(value(text, 'smooth_operator_turn_time_to_first_token_seconds_count')).toBe(2);
    expect(value(text, 'smooth_operator_turn_duration_seconds_count{outcome="failed"}')).toBe(2);
    expect(text).toContain('smooth_operator_backplane_publish_failures_total 0');

    client.send({ action: 'cancel', requestId: 'x' });
    await client.nextOfType('cancelled');
    client.ws.terminate();
    await eventually(async () => value(await scrape(h.server.httpUrl), 'smooth_operator_open_sockets') === 0);
    const after = await scrape(h.server.httpUrl);
    expect(value(after, 'smooth_operator_turns_total{outcome="cancelled",code=""}')).toBe(1);
    expect(value(after, 'smooth_operator_parked{kind="approval"}')).toBe(0);
    await h.close();
  });

  it('requires the bearer token when one is set', async () => {
    const h = await startHarness([], { config: { observability } });
    expect((await fetch(`${h.server.httpUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.server.httpUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-123' } })).status).toBe(401);
    expect((await fetch(`${h.server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await h.close();
  });

  it('is not served when metrics are off', async () => {
    const h = await startHarness([]);
    expect((await fetch(`${h.server.httpUrl}/metrics`)).status).toBe(404);
    await h.close();
  });
});

describe('GET /ready', () => {
  it('is 200 with storage and backplane ok, /health unchanged', async () => {
    const h = await startHarness([]);
    const res = await fetch(`${h.server.httpUrl}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { storage: 'ok', backplane: 'ok' } });
    expect((await fetch(`${h.server.httpUrl}/health`)).status).toBe(200);
    await h.close();
  });

  it('is 503 naming storage when it fails, without the error text', async () => {
    const storage = new MemoryStorage();
    storage.getSession = async () => {
      throw new Error('connection refused to secret-host');
    };
    const h = await startHarness([], { storage });
    const res = await fetch(`${h.server.httpUrl}/ready`);
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ status: 'unavailable', checks: { storage: 'unavailable', backplane: 'ok' } });
    expect(body).not.toContain('secret-host');
    await h.close();
  });
});
