/**
 * Which gateway key pays for an organization's turns. A seam: a host can resolve keys from its own
 * secret store; the built-ins are a single env key and a per-organization map file.
 */
export interface GatewayKeyResolver {
  /** The key for `organizationId`, or undefined when it has none (the turn then has no LLM). */
  resolve(organizationId: string): Promise<string | undefined>;
}

/** Every organization uses the one key (SMOOAI_GATEWAY_KEY), or none. */
export class SingleKeyResolver implements GatewayKeyResolver {
  constructor(private readonly key: string | undefined) {}

  resolve(): Promise<string | undefined> {
    return Promise.resolve(this.key);
  }
}

/** A fixed organization → key table; an organization not in it gets the fallback key. */
export class MapKeyResolver implements GatewayKeyResolver {
  private readonly keys: ReadonlyMap<string, string>;

  constructor(
    keys: Iterable<readonly [string, string]>,
    private readonly fallback: string | undefined,
  ) {
    // A Map, not an object: an organization called "constructor" must not resolve to a function.
    this.keys = new Map(keys);
  }

  resolve(organizationId: string): Promise<string | undefined> {
    return Promise.resolve(this.keys.get(organizationId) ?? this.fallback);
  }
}

/** Removes a key from text bound for a client or a log (an upstream error may quote the key it was given). */
export function redactKey(text: string, key: string | undefined): string {
  return key ? text.split(key).join('[redacted]') : text;
}

/** How long a host resolver's answer for an organization is reused (a rotated key applies after this). */
export const KEY_CACHE_TTL_MS = 30_000;

/**
 * A host's resolver may ask a secret store on every call; every turn resolves its key. This keeps
 * each organization's answer for a short TTL. Failures are not kept, so a vault outage is retried
 * on the next turn, and concurrent turns of one organization share one lookup.
 */
export class CachedKeyResolver implements GatewayKeyResolver {
  private readonly entries = new Map<string, { value: Promise<string | undefined>; expiresAt: number }>();

  constructor(
    private readonly inner: GatewayKeyResolver,
    private readonly ttlMs: number = KEY_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  resolve(organizationId: string): Promise<string | undefined> {
    const now = this.clock();
    const hit = this.entries.get(organizationId);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = this.inner.resolve(organizationId);
    this.entries.set(organizationId, { value, expiresAt: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(organizationId)?.value === value) this.entries.delete(organizationId);
    });
    return value;
  }
}
