import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Tool } from '../../src/engine/index.js';

/** A logger whose lines a test can read back (JSON objects, in order). */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>>; text(): string } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

/** A write tool that needs approval under SMOOTH_AGENT_CONFIRM_TOOLS=delete. */
export function deleteTool(calls: unknown[] = []): Tool {
  return {
    name: 'delete_record',
    description: 'Delete a record',
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    async execute(args) {
      calls.push(args);
      return `Record ${String(args.id)} deleted.`;
    },
  };
}

export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 5_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
