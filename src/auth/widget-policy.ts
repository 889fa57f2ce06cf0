import { z } from 'zod';

/** Who may embed one agent's widget, as its owner configured it. */
export interface WidgetPolicy {
  /** `*`, an exact origin, or `scheme://*.suffix`. Empty denies every origin. */
  readonly allowedOrigins: readonly string[];
  /** Shared secret for verifying a signed `authContext`; without it no authContext can verify. */
  readonly publicKey?: string;
  /** Sessions created through this widget belong to this organization. */
  readonly organizationId?: string;
}

/**
 * Looks up an agent's policy. `undefined` means "no policy" — including when the lookup failed, so a
 * strict server refuses rather than embedding an agent it could not check. Implementations never throw
 * for an unknown agent.
 */
export interface WidgetPolicyProvider {
  policyFor(agentId: string): Promise<WidgetPolicy | undefined>;
}

/** The wire/file shape, snake_case as the reference policy service serves it. */
const policyJson = z.object({
  allowed_origins: z.array(z.string()),
  public_key: z.string().nullish(),
  organization_id: z.string().nullish(),
});

export type WidgetPolicyParse = { ok: true; policy: WidgetPolicy } | { ok: false; problem: string };

/** Validates one policy document. The problem names the field, never echoes a value (public_key is a secret). */
export function parseWidgetPolicy(value: unknown): WidgetPolicyParse {
  const parsed = policyJson.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || 'policy'}: ${issue?.code ?? 'invalid'}` };
  }
  const { allowed_origins, public_key, organization_id } = parsed.data;
  return {
    ok: true,
    policy: Object.freeze({
      allowedOrigins: Object.freeze([...allowed_origins]),
      // An empty key or org is a configuration slip, not a value: treat it as absent.
      ...(public_key ? { publicKey: public_key } : {}),
      ...(organization_id ? { organizationId: organization_id } : {}),
    }),
  };
}

/** The default: no agent has a policy, so every agent may embed anywhere unless WIDGET_AUTH_STRICT is set. */
export class NoWidgetPolicies implements WidgetPolicyProvider {
  policyFor(): Promise<WidgetPolicy | undefined> {
    return Promise.resolve(undefined);
  }
}

/** A fixed table of policies (from WIDGET_AUTH_FILE, or handed in by a host). */
export class StaticWidgetPolicies implements WidgetPolicyProvider {
  private readonly policies: ReadonlyMap<string, WidgetPolicy>;

  constructor(policies: Iterable<readonly [string, WidgetPolicy]>) {
    // A Map, not an object: an agentId such as "__proto__" or "constructor" must not find anything.
    this.policies = new Map(policies);
  }

  policyFor(agentId: string): Promise<WidgetPolicy | undefined> {
    return Promise.resolve(this.policies.get(agentId));
  }
}
