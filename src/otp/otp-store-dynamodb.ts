import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../storage/dynamodb/dynamo-storage.js';
import type { OtpChallenge, OtpStore } from './otp-store.js';

const challengeKey = (sessionId: string) => ({ pk: `SESS#${sessionId}`, sk: 'OTP' });
const sendKey = (key: string, bucket: string) => ({ pk: `OTPSEND#${key}`, sk: bucket });

/** OTP state in the storage's table: the challenge beside its session, counters under `OTPSEND#<key>`. */
export class DynamoOtpStore implements OtpStore {
  constructor(private readonly access: DynamoTableAccess) {}

  async putChallenge(c: OtpChallenge): Promise<void> {
    await this.access.doc.send(
      new PutCommand({ TableName: this.access.table, Item: { ...challengeKey(c.sessionId), entity: 'otp', attempts: c.attempts, body: JSON.stringify(c) } }),
    );
  }

  async countAttempt(sessionId: string): Promise<OtpChallenge | undefined> {
    try {
      const { Attributes } = await this.access.doc.send(
        new UpdateCommand({
          TableName: this.access.table,
          Key: challengeKey(sessionId),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes || typeof Attributes.body !== 'string') return undefined;
      return { ...(JSON.parse(Attributes.body) as OtpChallenge), attempts: Number(Attributes.attempts) };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async deleteChallenge(sessionId: string): Promise<void> {
    await this.access.doc.send(new DeleteCommand({ TableName: this.access.table, Key: challengeKey(sessionId) }));
  }

  async countSend(key: string, bucket: string, expiresAt: string): Promise<number> {
    const { Attributes } = await this.access.doc.send(
      new UpdateCommand({
        TableName: this.access.table,
        Key: sendKey(key, bucket),
        UpdateExpression: 'ADD #n :one SET expiresAt = :e, entity = :entity',
        ExpressionAttributeNames: { '#n': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':e': expiresAt, ':entity': 'otp-send' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.count ?? 1);
  }
}
