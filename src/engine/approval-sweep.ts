import type { Storage } from '../storage/index.js';

export interface ApprovalSweepOptions {
  storage: Storage;
  now: () => Date;
  /** How long a parked approval may wait; the sweep runs a few times per timeout, at most once a minute. */
  approvalTimeoutMs: number;
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
 * Deletes approvals nobody can use any more: their turn ended with its socket (a disconnect keeps a
 * checkpointed approval for a reconnect) and their time ran out. Without it such records pile up —
 * in memory, for the life of the process. Returns the stop function.
 */
export function startApprovalSweep(options: ApprovalSweepOptions): () => void {
  const { storage } = options;
  if (!storage.sweepExpiredApprovals) return () => undefined;
  const sweep = storage.sweepExpiredApprovals.bind(storage);
  const intervalMs = Math.min(60_000, Math.max(1_000, Math.floor(options.approvalTimeoutMs / 2)));
  const grace = options.graceMs ?? DEFAULT_GRACE_MS;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep(new Date(options.now().getTime() - grace))
      .then((count) => {
        if (count > 0) options.onSwept?.(count);
      }, options.onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  // The sweep never keeps a process alive by itself.
  timer.unref();
  return () => clearInterval(timer);
}
