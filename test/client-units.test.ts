import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  asAgentEvent,
  backoffDelay,
  requestIdOf,
  toolActivityOf,
  type AgentEvent,
  type StreamChunkEvent,
} from '../src/client/index.js';
import { eventualResponse, streamChunk, type ServerEvent } from '../src/protocol/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('client SDK units', () => {
  it('backs off exponentially with jitter, capped', () => {
    const low = { initialMs: 100, maxMs: 1000, random: () => 0 };
    const high = { ...low, random: () => 1 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
    // The jitter never drops a delay below half, so a crowd of clients spreads out without hammering.
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, low))).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('types every event this server builds as a protocol event', () => {
    // Compile-time: the server's own event union must fit the SDK's spec-derived one.
    expectTypeOf<ServerEvent>().toExtend<AgentEvent>();
    const built = eventualResponse({ requestId: 'r', messageId: 'm', reply: 'hi', citations: [], usage: undefined }, 1);
    expect(asAgentEvent(JSON.parse(JSON.stringify(built)))).toEqual(built);
  });

  it('accepts only event-shaped frames and finds their request id', () => {
    expect(asAgentEvent({ type: 'nope', data: {} })).toBeUndefined();
    expect(asAgentEvent({ type: 'stream_token' })).toBeUndefined();
    expect(asAgentEvent([1])).toBeUndefined();
    expect(asAgentEvent({ type: 'cancelled', status: 499 })).toEqual({ type: 'cancelled', status: 499 });
    const nested = asAgentEvent({ type: 'write_confirmation_required', data: { requestId: 'inner', data: { toolId: 't', actionDescription: 'd' } } });
    expect(nested && requestIdOf(nested)).toBe('inner');
  });

  it('reads tool activity out of stream chunks, ignoring other chunk shapes', () => {
    const call = streamChunk('r', 'lookup', { rawResponse: { toolCall: { name: 'lookup', arguments: '{}' } } }, 1) as StreamChunkEvent;
    expect(toolActivityOf(call)).toEqual({ phase: 'call', name: 'lookup', arguments: '{}' });
    const other: StreamChunkEvent = { type: 'stream_chunk', data: { requestId: 'r', node: 'plan', state: {} } };
    expect(toolActivityOf(other)).toBeUndefined();
  });

  it('bundles for the browser without any Node built-in', async () => {
    const result = await build({
      entryPoints: [join(root, 'src', 'client', 'index.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('whatwgSocketFactory');
    expect(code).not.toMatch(/from\s*["'](node:|ws["'])/);
  });
});
