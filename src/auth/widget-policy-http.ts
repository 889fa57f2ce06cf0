import { parseWidgetPolicy, type WidgetPolicy, type WidgetPolicyProvider } from './widget-policy.js';

export interface HttpWidgetPoliciesOptions {
  /** Base URL without a trailing slash; the policy of agent `a` is at `{url}/{encodeURIComponent(a)}`. */
  url: string;
  bearer?: string;
  /** Reuse of a fetched policy or a 404; 0 asks the service on every lookup. */
  ttlMs: number;
  timeoutMs?: number;
  /** Bound on cached agents: agentIds come from clients, so an unbounded cache is a memory leak on demand. */
  maxEntries?: number;
  fetch?: typeof fetch;
  /** Milliseconds clock for cache expiry (tests drive it). */
  now?: () => number;
  /** Told why a lookup failed (never the bearer). The lookup itself then answers "no policy". */
  onLookupFailed?: (agentId: string, reason: string) => void;
}

interface Cached {
  readonly policy: WidgetPolicy | undefined;
  readonly expiresAt: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Policies from a policy service. A 2xx body is cached as the policy and a 404 as "no policy", both
 * for the TTL. A 5xx, any other status, a timeout, a network error or a malformed body is NOT cached
 * and answers "no policy" — so with WIDGET_AUTH_STRICT an outage fails closed, and the next lookup
 * tries again instead of remembering the outage.
 */
export class HttpWidgetPolicies implements WidgetPolicyProvider {
  private readonly cache = new Map<string, Cached>();
  /** One request per agent at a time: a burst of visitors to one widget costs one lookup. */
  private readonly inflight = new Map<string, Promise<WidgetPolicy | undefined>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: HttpWidgetPoliciesOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  policyFor(agentId: string): Promise<WidgetPolicy | undefined> {
    // "." and ".." survive percent-encoding and a URL parser would resolve them to another path.
    if (agentId === '.' || agentId === '..') return Promise.resolve(undefined);
    const hit = this.cache.get(agentId);
    if (hit && hit.expiresAt > this.now()) return Promise.resolve(hit.policy);
    if (hit) this.cache.delete(agentId);
    const pending = this.inflight.get(agentId);
    if (pending) return pending;
    const lookup = this.lookup(agentId).finally(() => this.inflight.delete(agentId));
    this.inflight.set(agentId, lookup);
    return lookup;
  }

  private async lookup(agentId: string): Promise<WidgetPolicy | undefined> {
    let res: Response;
    try {
      res = await this.fetch(`${this.options.url}/${encodeURIComponent(agentId)}`, {
        headers: { accept: 'application/json', ...(this.options.bearer ? { authorization: `Bearer ${this.options.bearer}` } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      return this.failed(agentId, `policy service unreachable (${(err as Error).name})`);
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => undefined);
      this.remember(agentId, undefined);
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return this.failed(agentId, `policy service answered ${res.status}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return this.failed(agentId, 'policy service body is not JSON');
    }
    const parsed = parseWidgetPolicy(body);
    if (!parsed.ok) return this.failed(agentId, `policy service body is invalid (${parsed.problem})`);
    this.remember(agentId, parsed.policy);
    return parsed.policy;
  }

  private failed(agentId: string, reason: string): undefined {
    this.options.onLookupFailed?.(agentId, reason);
    return undefined;
  }

  private remember(agentId: string, policy: WidgetPolicy | undefined): void {
    if (this.options.ttlMs <= 0) return;
    const max = this.options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    // Maps iterate in insertion order, so the first key is the oldest entry.
    while (this.cache.size >= max) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(agentId, { policy, expiresAt: this.now() + this.options.ttlMs });
  }
}
