/** Every turn in flight across the process, so shutdown can wait for them to finish. */
export class TurnTracker {
  private readonly running = new Set<Promise<unknown>>();
  private readonly controllers = new Set<AbortController>();

  track(promise: Promise<unknown>, controller: AbortController): void {
    const settled = promise.finally(() => {
      this.running.delete(settled);
      this.controllers.delete(controller);
    });
    settled.catch(() => undefined);
    this.running.add(settled);
    this.controllers.add(controller);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves true when all turns finished within the timeout, false when it gave up. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const idle = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      return true as const;
    })();
    const result = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return result;
  }

  abortAll(reason: unknown): void {
    for (const controller of this.controllers) controller.abort(reason);
  }
}
