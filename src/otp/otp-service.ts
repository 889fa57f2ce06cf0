import { createHash, randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { OtpFailure } from '../protocol/index.js';
import { maskEmail } from './mask.js';
import type { OtpSender } from './otp-sender.js';
import type { OtpStore } from './otp-store.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: string, keylen: number) => Promise<Buffer>;

export const OTP_TTL_MS = 10 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
const CODE_DIGITS = 6;

export interface OtpServiceOptions {
  store: OtpStore;
  sender: OtpSender;
  now: () => Date;
  maxSendsPerSession: number;
  maxSendsPerAddress: number;
  sendWindowMs: number;
  ttlMs?: number;
  maxAttempts?: number;
}

export type OtpStartResult =
  | { status: 'sent'; channel: 'email'; maskedDestination: string }
  | { status: 'rate_limited' }
  | { status: 'failed'; error: unknown };

export type OtpVerifyResult = { ok: true } | { ok: false; error: OtpFailure; attemptsRemaining: number; message: string };

export const NO_VERIFICATION_MESSAGE = 'No verification is in progress for this session.';

async function hashCode(code: string, salt: string): Promise<string> {
  return (await scrypt(code, salt, 32)).toString('hex');
}

/**
 * One-time codes for a session's contact address: 6 digits, stored only as a salted scrypt hash,
 * valid for 10 minutes and 5 attempts, sends capped per session and per address in a fixed window.
 */
export class OtpService {
  private readonly ttlMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: OtpServiceOptions) {
    this.ttlMs = options.ttlMs ?? OTP_TTL_MS;
    this.maxAttempts = options.maxAttempts ?? OTP_MAX_ATTEMPTS;
  }

  readonly channels: Array<'email'> = ['email'];

  private async withinSendLimits(sessionId: string, address: string): Promise<boolean> {
    const { store, now, sendWindowMs, maxSendsPerSession, maxSendsPerAddress } = this.options;
    const at = now().getTime();
    const bucket = String(Math.floor(at / sendWindowMs));
    const expiresAt = new Date((Math.floor(at / sendWindowMs) + 1) * sendWindowMs).toISOString();
    if ((await store.countSend(`session:${sessionId}`, bucket, expiresAt)) > maxSendsPerSession) return false;
    // The address is counted by its hash: the counters must not become a list of visitors' emails.
    const addressKey = `address:${createHash('sha256').update(address.trim().toLowerCase()).digest('hex')}`;
    return (await store.countSend(addressKey, bucket, expiresAt)) <= maxSendsPerAddress;
  }

  async start(sessionId: string, address: string): Promise<OtpStartResult> {
    const { store, sender, now } = this.options;
    if (!(await this.withinSendLimits(sessionId, address))) return { status: 'rate_limited' };
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const salt = randomBytes(16).toString('hex');
    const createdAt = now();
    const maskedDestination = maskEmail(address);
    // Recorded before sending, so a visitor quick enough to type the code never races the record.
    await store.putChallenge({
      sessionId,
      channel: 'email',
      maskedDestination,
      codeHash: await hashCode(code, salt),
      salt,
      attempts: 0,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + this.ttlMs).toISOString(),
    });
    try {
      await sender.send({ to: address, code, ttlMinutes: Math.round(this.ttlMs / 60_000) });
    } catch (error) {
      await store.deleteChallenge(sessionId).catch(() => undefined);
      return { status: 'failed', error };
    }
    return { status: 'sent', channel: 'email', maskedDestination };
  }

  /** Drops the session's outstanding code (its contact address changed: the code proves the old one). */
  async cancel(sessionId: string): Promise<void> {
    await this.options.store.deleteChallenge(sessionId);
  }

  async verify(sessionId: string, code: string): Promise<OtpVerifyResult> {
    const { store, now } = this.options;
    const challenge = await store.countAttempt(sessionId);
    if (!challenge) return { ok: false, error: 'NOT_FOUND', attemptsRemaining: 0, message: NO_VERIFICATION_MESSAGE };
    if (Date.parse(challenge.expiresAt) <= now().getTime()) {
      await store.deleteChallenge(sessionId);
      return { ok: false, error: 'EXPIRED', attemptsRemaining: 0, message: 'This code has expired. Ask for a new one.' };
    }
    if (challenge.attempts > this.maxAttempts) {
      return { ok: false, error: 'MAX_ATTEMPTS', attemptsRemaining: 0, message: 'Too many incorrect codes. Ask for a new one.' };
    }
    const given = Buffer.from(await hashCode(code.trim(), challenge.salt), 'hex');
    const expected = Buffer.from(challenge.codeHash, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      await store.deleteChallenge(sessionId);
      return { ok: true };
    }
    const attemptsRemaining = Math.max(0, this.maxAttempts - challenge.attempts);
    if (attemptsRemaining === 0) {
      return { ok: false, error: 'MAX_ATTEMPTS', attemptsRemaining, message: 'That code is incorrect and no attempts are left. Ask for a new one.' };
    }
    return { ok: false, error: 'INVALID_CODE', attemptsRemaining, message: `That code is incorrect. ${attemptsRemaining} attempt(s) left.` };
  }
}
