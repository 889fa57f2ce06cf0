export interface BackoffOptions {
  /** Delay before the first reconnect attempt. Default 500 ms. */
  initialMs?: number;
  /** Ceiling for any single delay. Default 15 s. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Source of randomness, injectable so tests are deterministic. Default Math.random. */
  random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter.
 * The jitter keeps a crowd of widgets that lost the same server from reconnecting in lock-step
 * the moment it comes back; the floor of half the delay keeps a single client from hammering it.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const exponential = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
