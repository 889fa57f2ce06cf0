import { Worker } from 'node:worker_threads';
import { denseKernelModule, type WasmMemory } from './dense-kernel.js';
import { scanDense, type DenseScanRequest, type DenseScanResult } from './dense-scan.js';

/**
 * One worker thread per process that runs `scanDense` over a slab's shared memory, so a 100k-vector
 * query does not hold the event loop. The worker's code is `scanDense`'s own source plus a message
 * loop (no separate file to resolve from `dist/` or from sources under test); the compiled kernel
 * module and the memory are posted to it, not copied. The worker is referenced only while a request
 * is pending, so an idle one never keeps the process alive.
 *
 * If the worker cannot start or dies, every pending and later request is answered by the synchronous
 * scan on the calling thread (`fallback`), so search keeps working, only on the event loop.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const scanDense = ${scanDense.toString()};
const kernelModule = workerData.kernelModule;
parentPort.on('message', ({ id, memory, request }) => {
  try {
    const kernel = new WebAssembly.Instance(kernelModule, { env: { memory } }).exports;
    const result = scanDense(kernel, memory, request);
    parentPort.postMessage({ id, rows: result.rows, scores: result.scores }, [result.rows.buffer, result.scores.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Pending {
  resolve(result: DenseScanResult): void;
  reject(error: unknown): void;
  fallback(): DenseScanResult;
}

interface Reply {
  id: number;
  rows?: Int32Array;
  scores?: Float64Array;
  error?: string;
}

export class DenseScanWorker {
  /** Requests the worker answered, and those the synchronous fallback did. */
  readonly answered = { worker: 0, fallback: 0 };
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  /** `source` is the worker's code; only tests replace it (with one that fails). */
  constructor(private readonly source = WORKER_SOURCE) {}

  /** False once the worker failed; callers then scan synchronously. */
  get available(): boolean {
    return !this.broken;
  }

  /**
   * Runs `request` over `memory` in the worker. `fallback` computes the same result synchronously; it is
   * used if the worker is or becomes unavailable, or reports an error for this request.
   */
  scan(memory: WasmMemory, request: DenseScanRequest, fallback: () => DenseScanResult): Promise<DenseScanResult> {
    const worker = this.started();
    if (!worker) return Promise.resolve(this.fallback(fallback));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, fallback });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, memory, request });
    });
  }

  /** Stops the worker (tests); a later scan starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.answerByFallback();
    if (worker) await worker.terminate();
  }

  private started(): Worker | undefined {
    if (this.broken) return undefined;
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(this.source, { eval: true, workerData: { kernelModule: denseKernelModule() } });
      worker.unref();
      worker.on('message', (reply: Reply) => this.settle(reply));
      worker.on('error', () => this.fail(worker));
      worker.on('exit', () => this.fail(worker));
      this.worker = worker;
      return worker;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.rows && reply.scores) {
      this.answered.worker++;
      pending.resolve({ rows: reply.rows, scores: reply.scores });
    } else this.answer(pending);
  }

  /** A worker that errs or exits unasked leaves its requests to the fallback, and no successor. */
  private fail(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.broken = true;
    this.answerByFallback();
  }

  private answerByFallback(): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) this.answer(p);
  }

  /** Here, on this thread; a failure rejects that one search instead of escaping an event handler. */
  private answer(pending: Pending): void {
    try {
      pending.resolve(this.fallback(pending.fallback));
    } catch (error) {
      pending.reject(error);
    }
  }

  private fallback(scan: () => DenseScanResult): DenseScanResult {
    this.answered.fallback++;
    return scan();
  }
}

let shared: DenseScanWorker | undefined;

/** The process's worker (created on first use). */
export function denseScanWorker(): DenseScanWorker {
  shared ??= new DenseScanWorker();
  return shared;
}
