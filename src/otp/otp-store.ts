/** A code sent to a session's contact address. Only a salted hash of the code is kept. */
export interface OtpChallenge {
  sessionId: string;
  channel: 'email';
  maskedDestination: string;
  /** scrypt(code, salt), hex. */
  codeHash: string;
  salt: string;
  /** Verification attempts made so far, this one included once counted. */
  attempts: number;
  createdAt: string;
  expiresAt: string;
}

/** Durable OTP state, so a code sent by one replica verifies on any other. Every backend passes test/otp-store.test.ts. */
export interface OtpStore {
  /** Records the session's challenge, replacing an earlier one (and its attempt count). */
  putChallenge(challenge: OtpChallenge): Promise<void>;
  /** Counts one attempt atomically and returns the challenge with the new count; undefined when none. */
  countAttempt(sessionId: string): Promise<OtpChallenge | undefined>;
  deleteChallenge(sessionId: string): Promise<void>;
  /** Adds one send to `key`'s counter for window `bucket` and returns the count, this send included. */
  countSend(key: string, bucket: string, expiresAt: string): Promise<number>;
}

export class MemoryOtpStore implements OtpStore {
  private readonly challenges = new Map<string, OtpChallenge>();
  private readonly sends = new Map<string, { count: number; expiresAt: number }>();

  async putChallenge(challenge: OtpChallenge): Promise<void> {
    this.challenges.set(challenge.sessionId, structuredClone(challenge));
  }

  async countAttempt(sessionId: string): Promise<OtpChallenge | undefined> {
    const found = this.challenges.get(sessionId);
    if (!found) return undefined;
    found.attempts += 1;
    return structuredClone(found);
  }

  async deleteChallenge(sessionId: string): Promise<void> {
    this.challenges.delete(sessionId);
  }

  async countSend(key: string, bucket: string, expiresAt: string): Promise<number> {
    const now = Date.now();
    // Expired windows are dropped as we go, so the map stays bounded by the live windows.
    for (const [k, v] of this.sends) if (v.expiresAt <= now) this.sends.delete(k);
    const id = `${key}\u0000${bucket}`;
    const entry = this.sends.get(id) ?? { count: 0, expiresAt: Date.parse(expiresAt) };
    entry.count += 1;
    this.sends.set(id, entry);
    return entry.count;
  }
}
