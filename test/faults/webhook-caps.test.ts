import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookTool, webhookToolDefinition } from '../../src/engine/index.js';
import type { ToolContext, ToolResult } from '../../src/engine/index.js';

// Finding 10: webhook response bodies were read whole, with no cap, and handed to the model unbounded.
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

const context: ToolContext = {
  sessionId: 's',
  conversationId: 'c',
  organizationId: 'o',
  agentId: 'a',
  access: { organizationId: 'o', groups: [] } as unknown as ToolContext['access'],
  signal: new AbortController().signal,
  recordSources: () => undefined,
};

function tool(url: string, extra: Record<string, unknown> = {}) {
  return webhookTool(webhookToolDefinition.parse({ name: 'lookup', description: 'Look up', parameters: { type: 'object' }, url, ...extra }));
}

describe('webhook response caps', () => {
  it('a 5 MB answer reaches the model as 64 KiB, marked as truncated', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(5 * 1024 * 1024));
    });
    const result = (await tool(url).execute({}, context)) as ToolResult;
    expect(result.isError).toBe(false);
    expect(result.content.startsWith('x'.repeat(1000))).toBe(true);
    expect(result.content).toMatch(/\[truncated: the response exceeded 65536 bytes\]$/);
    expect(Buffer.byteLength(result.content)).toBeLessThan(64 * 1024 + 100);
  });

  it('an endless answer stops being read at the per-tool cap instead of hanging until the timeout', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = '{"k":"' + 'y'.repeat(8192) + '"},';
      const pump = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(pump));
    });
    const started = Date.now();
    const result = (await tool(url, { maxResponseBytes: 1000, timeoutMs: 20_000 }).execute({}, context)) as ToolResult;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.content).toMatch(/\[truncated: the response exceeded 1000 bytes\]$/);
    expect(result.content.length).toBeLessThan(1100);
  });

  it('a multi-byte character cut at the limit is dropped, not mangled', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('é'.repeat(1000)); // 2 bytes each
    });
    const result = (await tool(url, { maxResponseBytes: 101 }).execute({}, context)) as ToolResult;
    expect(result.content.split('\n')[0]).toBe('é'.repeat(50));
  });

  it('an answer within the cap is untouched', async () => {
    const url = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('"Order 7 shipped."'));
    expect(await tool(url).execute({}, context)).toEqual({ content: 'Order 7 shipped.', isError: false });
  });
});
