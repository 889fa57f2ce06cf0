import { NO_VERIFICATION_MESSAGE } from '../../otp/index.js';
import { otpInvalid, otpVerified, type ActionOf } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { requireSession } from './sessions.js';

export const VERIFIED_MESSAGE = 'Identity verified successfully.';

/**
 * verify_otp: checks the code sent to the session's contact address. Success marks the session
 * verified in storage (every replica sees it); the visitor then asks again and gated tools run.
 */
export async function verifyOtp(connection: Connection, action: ActionOf<'verify_otp'>, _requestId: string | undefined): Promise<void> {
  const session = await requireSession(connection, action.sessionId);
  const { otp, storage } = connection.app;
  const rid = action.requestId;
  if (!otp) {
    connection.send(otpInvalid(rid, { error: 'NOT_FOUND', attemptsRemaining: 0, message: NO_VERIFICATION_MESSAGE }, Date.now()));
    return;
  }
  const result = await otp.verify(session.sessionId, action.code);
  if (!result.ok) {
    connection.send(otpInvalid(rid, { error: result.error, attemptsRemaining: result.attemptsRemaining, message: result.message }, Date.now()));
    return;
  }
  await storage.updateSession(session.sessionId, { verified: true });
  connection.send(otpVerified(rid, VERIFIED_MESSAGE, Date.now()));
}
