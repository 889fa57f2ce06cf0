import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tool } from '../src/index.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { startToolServer } from './support/tool-server.js';
import { at, type Frame } from './support/ws-client.js';

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const c of cleanups.splice(0)) await c();
});

function toolsFile(definitions: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'so-tools-'));
  const path = join(dir, 'tools.json');
  writeFileSync(path, JSON.stringify(definitions));
  return path;
}

const chunks = (frames: Frame[]) => frames.filter((f) => f.type === 'stream_chunk').map((f) => at(f, 'data.state.rawResponse'));
const orderOf = (frames: Frame[]) => frames.map((f) => f.type);

describe('webhook tools', () => {
  it('POSTs arguments and context, and returns text bodies verbatim and JSON strings unwrapped', async () => {
    const tools = await startToolServer((path, _body, res) => {
      if (path === '/orders') res.writeHead(200, { 'content-type': 'text/plain' }).end('Order 123: shipped');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify('refund queued'));
    });
    cleanups.push(tools.close);
    const file = toolsFile([
      { name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object' }, url: `${tools.url}/orders` },
      { name: 'queue_refund', description: 'Queue a refund', parameters: { type: 'object' }, url: `${tools.url}/refunds`, headers: { 'x-api-key': 'shh' } },
    ]);
    harness = await startHarness(
      [
        { kind: 'toolCalls', calls: [{ name: 'lookup_order', arguments: '{"id":"123"}' }, { name: 'queue_refund', arguments: '' }] },
        { kind: 'text', text: 'Shipped; refund queued.' },
      ],
      { config: { toolsFile: file } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'where is 123' });
    const frames = await client.untilTerminal();
    expect(chunks(frames)).toEqual([
      { toolCall: { name: 'lookup_order', arguments: '{"id":"123"}' } },
      { toolResult: { name: 'lookup_order', isError: false, result: 'Order 123: shipped' } },
      { toolCall: { name: 'queue_refund', arguments: '' } },
      { toolResult: { name: 'queue_refund', isError: false, result: 'refund queued' } },
    ]);
    expect(tools.calls[0]!.body).toMatchObject({ tool: 'lookup_order', arguments: { id: '123' }, context: { sessionId, agentId: expect.any(String) } });
    expect(tools.calls[1]!.body).toMatchObject({ tool: 'queue_refund', arguments: {} });
    const toolMessages = harness.gateway.requests[1]!.body.messages.filter((m) => m.role === 'tool');
    expect(toolMessages.map((m) => m.content)).toEqual(['Order 123: shipped', 'refund queued']);
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(client.schemaViolations).toEqual([]);
  });

  it('a webhook returning 500 gives the model an error result and the turn completes', async () => {
    const tools = await startToolServer((_path, _body, res) => res.writeHead(500).end('database down'));
    cleanups.push(tools.close);
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'lookup_order', arguments: '{}' }, { kind: 'text', text: 'Sorry, the order system is down.' }],
      { config: { toolsFile: toolsFile([{ name: 'lookup_order', description: 'd', parameters: { type: 'object' }, url: `${tools.url}/o` }]) } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'order?' });
    const frames = await client.untilTerminal();
    const result = chunks(frames)[1] as { toolResult: { isError: boolean; result: string } };
    expect(result.toolResult.isError).toBe(true);
    expect(result.toolResult.result).toContain('500');
    expect(frames.at(-1)!.type).toBe('eventual_response');
    expect(tokensOf(frames)).toBe('Sorry, the order system is down.');
  });

  it('a webhook that times out is an error result, not a hung turn', async () => {
    const tools = await startToolServer(() => undefined);
    cleanups.push(tools.close);
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'slow', arguments: '{}' }, { kind: 'text', text: 'It timed out.' }],
      { config: { toolsFile: toolsFile([{ name: 'slow', description: 'd', parameters: { type: 'object' }, url: `${tools.url}/s`, timeoutMs: 200 }]) } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'go' });
    const frames = await client.untilTerminal();
    expect(chunks(frames)[1]).toMatchObject({ toolResult: { isError: true, result: expect.stringContaining('timed out') } });
    expect(frames.at(-1)!.type).toBe('eventual_response');
  });

  it('refuses to boot on an invalid tools file, naming the variable', async () => {
    await expect(startHarness([], { config: { toolsFile: toolsFile([{ name: 'x' }]) } })).rejects.toThrow(/SMOOTH_AGENT_TOOLS_FILE/);
  });
});

describe('human approval', () => {
  const deleteTool: Tool = {
    name: 'delete_record',
    description: 'Delete a record',
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    execute: async (args) => `Record ${String(args.id)} deleted.`,
  };

  it('parks, announces, and resumes on approval with the ack before the result', async () => {
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' }, { kind: 'text', text: 'Deleted.' }],
      { tools: [deleteTool], config: { confirmToolPatterns: ['delete'] } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 42' });
    await client.nextOfType('stream_chunk');
    expect(orderOf(client.frames.slice(1))).toEqual(['immediate_response', 'write_confirmation_required', 'stream_chunk']);
    expect(client.frames[2]).toMatchObject({
      requestId: 'r',
      data: { requestId: 'r', data: { toolId: 'delete_record', actionDescription: 'Delete record: id 42' } },
    });
    client.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
    const rest = await client.untilTerminal();
    expect(rest[0]).toMatchObject({ type: 'immediate_response', status: 200, requestId: 'c', message: 'Tool action approved', data: { sessionId, approved: true } });
    expect(chunks(rest)).toEqual([{ toolResult: { name: 'delete_record', isError: false, result: 'Record 42 deleted.' } }]);
    expect(rest.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
    // Resolved once: a second confirm finds nothing.
    const again = await client.request({ action: 'confirm_tool_action', requestId: 'c2', sessionId, approved: true });
    expect(again).toMatchObject({ type: 'error', error: { code: 'NO_PENDING_CONFIRMATION' } });
    expect(client.schemaViolations).toEqual([]);
  });

  it('a denial gives the model an error result saying the user rejected it', async () => {
    let executed = false;
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' }, { kind: 'text', text: 'OK, not deleted.' }],
      { tools: [{ ...deleteTool, execute: async () => ((executed = true), 'deleted') }], config: { confirmToolPatterns: ['delete'] } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 42' });
    await client.nextOfType('write_confirmation_required');
    client.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: false });
    const rest = await client.untilTerminal();
    expect(rest.find((f) => f.type === 'immediate_response')).toMatchObject({ message: 'Tool action rejected', data: { approved: false } });
    expect(chunks(rest).at(-1)).toEqual({
      toolResult: { name: 'delete_record', isError: true, result: 'blocked by hook: User denied: user rejected the action' },
    });
    expect(executed).toBe(false);
    const toolMessage = harness.gateway.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('user rejected');
  });

  it('no answer before the timeout denies the call', async () => {
    harness = await startHarness(
      [{ kind: 'toolCall', name: 'delete_record', arguments: '{}' }, { kind: 'text', text: 'No confirmation, so I did nothing.' }],
      { tools: [deleteTool], config: { confirmToolPatterns: ['delete'], approvalTimeoutMs: 200 } },
    );
    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete' });
    const frames = await client.untilTerminal();
    expect(chunks(frames).at(-1)).toMatchObject({ toolResult: { isError: true, result: 'blocked by hook: confirmation timeout' } });
    expect(frames.at(-1)!.type).toBe('eventual_response');
    const late = await client.request({ action: 'confirm_tool_action', requestId: 'late', sessionId, approved: true });
    expect(late).toMatchObject({ type: 'error', error: { code: 'NO_PENDING_CONFIRMATION' } });
  });

  it('confirm with nothing pending is NO_PENDING_CONFIRMATION, and bad frames are validated', async () => {
    harness = await startHarness([]);
    const { client, sessionId } = await harness.session();
    expect(await client.request({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true })).toMatchObject({
      error: { code: 'NO_PENDING_CONFIRMATION', message: `no tool action is awaiting confirmation for session '${sessionId}'` },
    });
    expect(await client.request({ action: 'confirm_tool_action', requestId: 'c2', sessionId, approved: 'yes' })).toMatchObject({
      error: { code: 'VALIDATION_ERROR' },
    });
  });
});

describe('knowledge and citations', () => {
  it('grounds the prompt and cites auto-retrieved context plus knowledge_search results, deduplicated', async () => {
    harness = await startHarness(
      [
        { kind: 'toolCall', name: 'knowledge_search', arguments: '{"query":"shipping days","limit":5}' },
        { kind: 'text', text: 'Returns: 17 days. Shipping: 5 to 7 business days.' },
      ],
      { seedKb: true, config: { authMode: 'none' } },
    );
    const added = await fetch(`${harness.server.httpUrl}/admin/knowledge/documents`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev', 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [{ id: 'faq', source: 'https://help.example.com/faq', content: 'Shipping to Canada takes 9 business days.' }] }),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ ids: ['faq'] });

    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'What is the return window?' });
    const frames = await client.untilTerminal();
    const firstCall = harness.gateway.requests[0]!.body;
    const context = firstCall.messages.find((m) => m.role === 'system' && String(m.content).startsWith('[Relevant knowledge]'));
    expect(String(context?.content)).toContain('source=policies/returns.md');
    expect(firstCall.tools?.map((t) => t.function.name)).toContain('knowledge_search');

    const toolResult = chunks(frames)[1] as { toolResult: { result: string } };
    expect(toolResult.toolResult.result).toMatch(/^Found \d+ knowledge base result\(s\) for "shipping days":/);
    const citations = at(frames.at(-1), 'data.data.citations') as Array<{ id: string; title: string; url?: string; snippet: string }>;
    expect(citations[0]).toMatchObject({ id: 'policies/returns.md', title: 'Returns policy' });
    expect(citations[0]!.url).toBeUndefined();
    const ids = citations.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['policies/shipping.md', 'faq']));
    expect(citations.find((c) => c.id === 'faq')).toMatchObject({ url: 'https://help.example.com/faq', snippet: 'Shipping to Canada takes 9 business days.' });
    expect(client.schemaViolations).toEqual([]);
  });

  it('guards the admin knowledge endpoint: disabled without AUTH_MODE, bearer required with none', async () => {
    harness = await startHarness([]);
    const url = `${harness.server.httpUrl}/admin/knowledge/documents`;
    const disabled = await fetch(url, { headers: { authorization: 'Bearer x' } });
    expect(disabled.status).toBe(401);
    expect(await disabled.json()).toMatchObject({ type: 'error', error: { code: 'INVALID_TOKEN' } });
    await harness.close();
    harness = await startHarness([], { config: { authMode: 'none' } });
    const devUrl = `${harness.server.httpUrl}/admin/knowledge/documents`;
    expect((await fetch(devUrl)).status).toBe(401);
    const bad = await fetch(devUrl, { method: 'POST', headers: { authorization: 'Bearer x' }, body: '{"documents":[{"source":""}]}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    const put = await fetch(devUrl, { method: 'POST', headers: { authorization: 'Bearer x' }, body: '{"documents":[{"id":"a/b","source":"s","content":"c"}]}' });
    expect(put.status).toBe(201);
    const one = await fetch(`${devUrl}/${encodeURIComponent('a/b')}`, { headers: { authorization: 'Bearer x' } });
    expect(await one.json()).toMatchObject({ document: { id: 'a/b', content: 'c' } });
    expect((await fetch(`${devUrl}/${encodeURIComponent('a/b')}`, { method: 'DELETE', headers: { authorization: 'Bearer x' } })).status).toBe(204);
    expect((await fetch(`${devUrl}/${encodeURIComponent('a/b')}`, { method: 'DELETE', headers: { authorization: 'Bearer x' } })).status).toBe(404);
  });
});
