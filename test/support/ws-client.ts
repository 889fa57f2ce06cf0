import { WebSocket, type RawData } from 'ws';
import { eventSchemaErrors, SPEC_AVAILABLE } from './spec.js';

export type Frame = Record<string, unknown> & { type: string };

/**
 * A protocol client for tests: records every frame, checks each one against the spec's schema,
 * and lets a test wait for the next frame matching a predicate.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly schemaViolations: string[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  closed = false;
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (SPEC_AVAILABLE) {
        const problem = eventSchemaErrors(frame);
        if (problem) this.schemaViolations.push(problem);
      }
      this.frames.push(frame);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.wake();
    });
  }

  static connect(url: string): Promise<TestClient> {
    return TestClient.connectWith(url);
  }

  /** Like connect, sending an Origin header (what a browser on that page sends). */
  static connectWith(url: string, origin?: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, origin === undefined ? {} : { origin });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Next unconsumed frame matching `predicate` (frames before it are consumed too). */
  async next(predicate: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++]!;
        if (predicate(frame)) return frame;
      }
      if (this.closed) throw new Error(`connection closed while waiting; saw ${JSON.stringify(this.frames.slice(-5))}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for a frame; last frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs);
  }

  /** Frames after the cursor up to and including the first terminal event of a turn. */
  async untilTerminal(timeoutMs = 10_000): Promise<Frame[]> {
    const collected: Frame[] = [];
    for (;;) {
      const frame = await this.next(() => true, timeoutMs);
      collected.push(frame);
      if (['eventual_response', 'error', 'cancelled'].includes(frame.type)) return collected;
    }
  }

  /** Resolves after `ms` with any frames that arrived (consumed), for asserting silence. */
  async drainFor(ms: number): Promise<Frame[]> {
    await new Promise((r) => setTimeout(r, ms));
    const rest = this.frames.slice(this.cursor);
    this.cursor = this.frames.length;
    return rest;
  }

  async request(frame: Record<string, unknown>, timeoutMs?: number): Promise<Frame> {
    this.send(frame);
    const requestId = frame.requestId;
    return this.next((f) => f.requestId === requestId || requestId === undefined, timeoutMs);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** A value at a dot path (`a.b.0.c`) of a frame. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
