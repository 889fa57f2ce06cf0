import { assertMigrated, migrate } from '../storage/sql/migrate.js';
import type { MigrationTrack } from '../storage/sql/migrations.js';
import type { SqlDatabase } from '../storage/sql/sql-client.js';
import { StorageSetupError } from '../storage/storage-error.js';
import type { OtpChallenge, OtpStore } from './otp-store.js';

export const OTP_MIGRATIONS: MigrationTrack = {
  track: 'otp',
  migrations: [
    {
      version: 1,
      name: 'OTP challenges (hashed codes, attempt counts) and send counters',
      statements: [
        `CREATE TABLE otp_challenges (
          session_id text PRIMARY KEY,
          body jsonb NOT NULL,
          attempts integer NOT NULL,
          expires_at timestamptz NOT NULL
        )`,
        // Fixed windows: one row per (key, window); keys name a session or a hashed address, never an address.
        `CREATE TABLE otp_sends (
          key text NOT NULL,
          bucket text NOT NULL,
          count integer NOT NULL,
          expires_at timestamptz NOT NULL,
          PRIMARY KEY (key, bucket)
        )`,
      ],
    },
  ],
};

interface ChallengeRow {
  body: OtpChallenge | string;
  attempts: number;
}

function toChallenge(row: ChallengeRow | undefined): OtpChallenge | undefined {
  if (!row) return undefined;
  const body = typeof row.body === 'string' ? (JSON.parse(row.body) as OtpChallenge) : row.body;
  return { ...body, attempts: Number(row.attempts) };
}

export class SqlOtpStore implements OtpStore {
  private constructor(private readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<SqlOtpStore> {
    try {
      if (schema === 'apply') await migrate(db, OTP_MIGRATIONS);
      else await assertMigrated(db, OTP_MIGRATIONS);
    } catch (err) {
      if (err instanceof StorageSetupError) throw err;
      throw new StorageSetupError(`${db.label}: otp schema: ${(err as Error).message}`, { cause: err });
    }
    return new SqlOtpStore(db);
  }

  async putChallenge(c: OtpChallenge): Promise<void> {
    await this.db.query(
      `INSERT INTO otp_challenges (session_id, body, attempts, expires_at) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (session_id) DO UPDATE SET body = EXCLUDED.body, attempts = EXCLUDED.attempts, expires_at = EXCLUDED.expires_at`,
      [c.sessionId, JSON.stringify(c), c.attempts, c.expiresAt],
    );
  }

  async countAttempt(sessionId: string): Promise<OtpChallenge | undefined> {
    // One statement, so concurrent guesses on several replicas each consume an attempt.
    const [row] = await this.db.query<ChallengeRow>(
      'UPDATE otp_challenges SET attempts = attempts + 1 WHERE session_id = $1 RETURNING body, attempts',
      [sessionId],
    );
    return toChallenge(row);
  }

  async deleteChallenge(sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM otp_challenges WHERE session_id = $1', [sessionId]);
  }

  async countSend(key: string, bucket: string, expiresAt: string): Promise<number> {
    await this.db.query('DELETE FROM otp_sends WHERE key = $1 AND expires_at <= now()', [key]);
    const [row] = await this.db.query<{ count: number }>(
      `INSERT INTO otp_sends (key, bucket, count, expires_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (key, bucket) DO UPDATE SET count = otp_sends.count + 1
       RETURNING count`,
      [key, bucket, expiresAt],
    );
    return Number(row!.count);
  }
}
