import { describe, it, expect, afterEach } from 'vitest';
import OpenAI from 'openai';
import { startScriptedGateway, scriptFromConformance } from './index.js';
import type { ScriptedGateway, ScriptedGatewayOptions } from './index.js';

const open: ScriptedGateway[] = [];

async function gateway(opts?: ScriptedGatewayOptions): Promise<{ gw: ScriptedGateway; client: OpenAI }> {
  const gw = await startScriptedGateway(opts);
  open.push(gw);
  return { gw, client: new OpenAI({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 }) };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

const userMsg = [{ role: 'user' as const, content: 'hi' }];

describe('scripted gateway', () => {
  it('streams text deltas and a usage chunk', async () => {
    const { gw, client } = await gateway({ script: [{ kind: 'text', text: 'Hello, streaming world!', chunkSize: 5 }] });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: userMsg,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let deltas = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        content += choice.delta.content;
        deltas++;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe('Hello, streaming world!');
    expect(deltas).toBe(5);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(gw.requests).toHaveLength(1);
    expect(gw.requests[0]?.body.model).toBe('m');
    expect(gw.requests[0]?.body.stream).toBe(true);
    expect(gw.requests[0]?.headers.authorization).toBe('Bearer k');
  });

  it('streams a tool call with split arguments', async () => {
    const args = JSON.stringify({ query: 'refund policy', limit: 3 });
    const { client } = await gateway({
      script: [{ kind: 'toolCall', name: 'search_kb', arguments: args, id: 'call_x', argChunks: 4 }],
    });
    const stream = await client.chat.completions.create({ model: 'm', messages: userMsg, stream: true });
    let name = '';
    let id = '';
    let assembled = '';
    let argDeltas = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      for (const tc of choice?.delta.tool_calls ?? []) {
        expect(tc.index).toBe(0);
        if (tc.id) id = tc.id;
        if (tc.function?.name) name += tc.function.name;
        if (tc.function?.arguments) {
          assembled += tc.function.arguments;
          argDeltas++;
        }
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(id).toBe('call_x');
    expect(name).toBe('search_kb');
    expect(argDeltas).toBe(4);
    expect(JSON.parse(assembled)).toEqual({ query: 'refund policy', limit: 3 });
    expect(finish).toBe('tool_calls');
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    const { client } = await gateway({
      script: scriptFromConformance([{ kind: 'toolCall', name: 'a', arguments: '{}' }]),
      costUsd: 0.0125,
    });
    const { data, response } = await client.chat.completions
      .create({ model: 'm', messages: userMsg })
      .withResponse();
    expect(response.headers.get('x-litellm-response-cost')).toBe('0.0125');
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'a', arguments: '{}' });
    expect(data.usage?.total_tokens).toBe(15);
  });

  it('turns an error step into an APIError with that status', async () => {
    const { client } = await gateway({ script: [{ kind: 'error', status: 429, body: 'slow down', retryAfterMs: 10 }] });
    const err = await client.chat.completions.create({ model: 'm', messages: userMsg, stream: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((err as Error).message).toContain('slow down');
  });

  it('answers 500 when the script is exhausted and 401 without the required key', async () => {
    const { client } = await gateway({ requireKey: 'secret', script: [{ kind: 'text', text: 'x' }] });
    await expect(client.chat.completions.create({ model: 'm', messages: userMsg })).rejects.toMatchObject({ status: 401 });
    const authed = new OpenAI({ baseURL: client.baseURL, apiKey: 'secret', maxRetries: 0 });
    await expect(authed.chat.completions.create({ model: 'm', messages: userMsg })).resolves.toBeDefined();
    await expect(authed.chat.completions.create({ model: 'm', messages: userMsg })).rejects.toMatchObject({ status: 500 });
  });

  it('detects a client abort of a hanging response', async () => {
    const { gw, client } = await gateway({ script: [{ kind: 'hang', text: 'partial' }] });
    const ac = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'm', messages: userMsg, stream: true },
      { signal: ac.signal },
    );
    let got = '';
    const consumed = (async () => {
      for await (const chunk of stream) {
        got += chunk.choices[0]?.delta.content ?? '';
        if (got === 'partial') ac.abort();
      }
    })().catch((e: unknown) => e);
    await gw.waitForClientClose(0, 2_000);
    expect(gw.requests[0]?.closedByClient).toBe(true);
    expect(got).toBe('partial');
    await consumed;
  });

  it('makes stream iteration throw when the server dies mid-stream', async () => {
    const { gw, client } = await gateway({ script: [{ kind: 'dieMidStream', text: 'half an ans' }] });
    const stream = await client.chat.completions.create({ model: 'm', messages: userMsg, stream: true });
    let got = '';
    await expect(
      (async () => {
        for await (const chunk of stream) got += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(got).toBe('half an ans');
    expect(gw.requests[0]?.closedByClient).toBe(false);
  });

  it('falls back to respond() and supports push()', async () => {
    const { gw, client } = await gateway({ respond: (_req, i) => ({ kind: 'text', text: `r${i}` }) });
    gw.push({ kind: 'text', text: 'pushed' });
    const a = await client.chat.completions.create({ model: 'm', messages: userMsg });
    const b = await client.chat.completions.create({ model: 'm', messages: userMsg });
    expect(a.choices[0]?.message.content).toBe('pushed');
    expect(b.choices[0]?.message.content).toBe('r1');
    await gw.waitForRequests(2, 100);
    await expect(gw.waitForRequests(3, 50)).rejects.toThrow(/timed out/);
  });

  it('returns 404 for unknown paths', async () => {
    const { gw } = await gateway();
    const res = await fetch(`${gw.url}/models`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { type: 'not_found_error' } });
  });
});
