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
