/** Deletes the expired records of one kind of parked turn; returns how many. */
export type ExpirySweeper = (before: Date) => Promise<number>;

export interface ExpirySweepOptions {
  /** One per kind of parked record (approvals, interactions); backends without a sweep give none. */
  sweepers: ReadonlyArray<ExpirySweeper | undefined>;
  now: () => Date;
  /** The shortest time a turn may stay parked; the sweep runs a few times per such timeout, at most once a minute. */
  timeoutMs: number;
  /**
   * Expired records are left this long, so a turn whose own timer is about to fire finds its record
   * and reports a timeout, rather than taking the missing record for a resolution elsewhere.
   */
  graceMs?: number;
  onSwept?: (count: number) => void;
  onError?: (err: unknown) => void;
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * Deletes parked records nobody can use any more: their turn ended with its socket (a disconnect
 * keeps a checkpointed record for a reconnect) and their time ran out. Without it such records pile
 * up — in memory, for the life of the process. Returns the stop function.
 */
export function startExpirySweep(options: ExpirySweepOptions): () => void {
  const sweepers = options.sweepers.filter((s): s is ExpirySweeper => s !== undefined);
  if (sweepers.length === 0) return () => undefined;
  const intervalMs = Math.min(60_000, Math.max(1_000, Math.floor(options.timeoutMs / 2)));
  const grace = options.graceMs ?? DEFAULT_GRACE_MS;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const before = new Date(options.now().getTime() - grace);
    Promise.all(sweepers.map((sweep) => sweep(before)))
      .then((counts) => {
        const total = counts.reduce((a, b) => a + b, 0);
        if (total > 0) options.onSwept?.(total);
      }, options.onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  // The sweep never keeps a process alive by itself.
  timer.unref();
  return () => clearInterval(timer);
}
