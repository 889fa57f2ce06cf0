import { ProtocolError } from '../protocol/index.js';
import { verifyAuthContext } from './widget-auth-context.js';
import { originAllowed } from './widget-origin.js';
import type { WidgetPolicyProvider } from './widget-policy.js';

export interface WidgetAttempt {
  agentId: string;
  /** The WebSocket upgrade's Origin header; "" when the client sent none. */
  origin: string;
  /** `create_conversation_session.authContext` as received; `undefined` when the frame had none. */
  authContext: unknown;
  strict: boolean;
  nowSecs: number;
}

export interface WidgetGrant {
  /** The organization the policy assigns to sessions of this agent, when it names one. */
  organizationId?: string;
}

/**
 * The embedding check at `create_conversation_session`, in the reference's order:
 * 1. no policy → allowed, unless strict (AGENT_NOT_AUTHORIZED);
 * 2. the Origin must be on the allowlist (ORIGIN_NOT_ALLOWED);
 * 3. an authContext, when present, must verify (AUTH_CONTEXT_INVALID).
 */
export async function enforceWidgetPolicy(provider: WidgetPolicyProvider, attempt: WidgetAttempt): Promise<WidgetGrant> {
  const policy = await provider.policyFor(attempt.agentId);
  if (!policy) {
    if (attempt.strict) throw new ProtocolError('AGENT_NOT_AUTHORIZED', 'this agent is not registered for embedding');
    return {};
  }
  if (!originAllowed(attempt.origin, policy.allowedOrigins)) {
    throw new ProtocolError('ORIGIN_NOT_ALLOWED', 'this origin is not allowed to embed this agent');
  }
  if (attempt.authContext !== undefined && !verifyAuthContext(attempt.authContext, policy.publicKey, attempt.nowSecs)) {
    throw new ProtocolError('AUTH_CONTEXT_INVALID', 'authContext signature failed verification');
  }
  return policy.organizationId ? { organizationId: policy.organizationId } : {};
}

/**
 * Whether the widget context of a later connection admits it to a session's organization.
 *
 * A widget session belongs to the policy's organization, which an anonymous visitor (or a visitor
 * signed in to another organization) does not carry. On a reconnect the visitor brings only the
 * sessionId and the page's Origin, so the session is admitted when the SAME policy context holds
 * now: the session's agent still has a policy, that policy still assigns the session's organization,
 * and this connection's Origin is still on its allowlist. Removing an origin from the allowlist (or
 * moving the agent to another organization) therefore also cuts off existing sessions from it.
 * The owner's user check still applies on top (see handlers/sessions.ts).
 */
export async function widgetAdmits(
  provider: WidgetPolicyProvider,
  session: { agentId: string; organizationId: string },
  origin: string,
): Promise<boolean> {
  const policy = await provider.policyFor(session.agentId);
  return policy?.organizationId === session.organizationId && originAllowed(origin, policy.allowedOrigins);
}
