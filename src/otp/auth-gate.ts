import type { ToolCallRequest } from '../llm/index.js';
import type { HookContext, HookDecision, ToolHook } from '../engine/hooks.js';
import type { Session, Storage } from '../storage/index.js';
import type { OtpService } from './otp-service.js';

/** The reference server's refusal texts, verbatim: clients and prompts match on them. */
export const adminRefusal = (tool: string) => `Tool '${tool}' requires admin authentication and is not available on public-facing agents.`;
export const verificationRefusal = (tool: string) => `I need to verify your identity before I can use ${tool}. Please verify with a one-time code.`;
const RESEND_LIMITED = 'A code was sent recently; ask the visitor to enter that code, or to try again later.';

export interface AuthGateOptions {
  storage: Storage;
  /** Absent: OTP is off (no SMTP configured) and an unverified session is only refused. */
  otp?: OtpService;
  onOtpError?: (err: unknown) => void;
}

/** The address a code can go to: what the visitor gave through identity_intake, else the session's user email. */
async function contactEmail(storage: Storage, session: Session): Promise<string | undefined> {
  if (session.contact?.email) return session.contact.email;
  return (await storage.getParticipant(session.userParticipantId))?.email || undefined;
}

/**
 * Per-tool auth levels of the session's agent: `admin` tools never run on a public agent, `end_user`
 * tools only in a verified session. A refusal with a known contact address starts OTP verification;
 * after `verify_otp` the visitor asks again and the tool runs.
 */
export class AuthGate implements ToolHook {
  constructor(private readonly options: AuthGateOptions) {}

  async beforeToolCall(call: ToolCallRequest, context: HookContext): Promise<HookDecision> {
    const level = context.toolAuthLevel ?? 'none';
    if (level === 'none' || context.agentVisibility === 'internal') return { action: 'allow' };
    if (level === 'admin') return { action: 'deny', reason: adminRefusal(call.name) };
    const { storage, otp } = this.options;
    const session = await storage.getSession(context.sessionId);
    if (session?.verified === true) return { action: 'allow' };
    const refused: HookDecision = { action: 'deny', reason: verificationRefusal(call.name) };
    const address = otp && session ? await contactEmail(storage, session) : undefined;
    if (!otp || !address) return refused;
    context.emit({ type: 'otp_verification_required', toolName: call.name, authLevel: level, channels: otp.channels });
    const started = await otp.start(context.sessionId, address);
    if (started.status === 'sent') {
      context.emit({ type: 'otp_sent', channel: started.channel, maskedDestination: started.maskedDestination });
      return refused;
    }
    if (started.status === 'failed') this.options.onOtpError?.(started.error);
    return started.status === 'rate_limited' ? { action: 'deny', reason: `${refused.reason} ${RESEND_LIMITED}` } : refused;
  }
}
