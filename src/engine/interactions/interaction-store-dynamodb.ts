import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import type { InteractionStore, PendingInteraction } from './interaction-store.js';

/** Beside the session's other items: `SESS#<id>` / `INTERACTION`, the record whole as JSON in `body`. */
const key = (sessionId: string) => ({ pk: `SESS#${sessionId}`, sk: 'INTERACTION' });

export class DynamoInteractionStore implements InteractionStore {
  constructor(private readonly access: DynamoTableAccess) {}

  async put(p: PendingInteraction): Promise<void> {
    await this.access.doc.send(
      new PutCommand({
        TableName: this.access.table,
        Item: { ...key(p.sessionId), entity: 'interaction', interactionId: p.interactionId, body: JSON.stringify(p) },
      }),
    );
  }

  async get(sessionId: string): Promise<PendingInteraction | undefined> {
    const { Item } = await this.access.doc.send(new GetCommand({ TableName: this.access.table, Key: key(sessionId), ConsistentRead: true }));
    return Item && typeof Item.body === 'string' ? (JSON.parse(Item.body) as PendingInteraction) : undefined;
  }

  async take(sessionId: string, interactionId?: string): Promise<PendingInteraction | undefined> {
    // Writes to one item are serialized: of two deletes only one sees the old value.
    try {
      const { Attributes } = await this.access.doc.send(
        new DeleteCommand({
          TableName: this.access.table,
          Key: key(sessionId),
          ReturnValues: 'ALL_OLD',
          ...(interactionId !== undefined
            ? { ConditionExpression: 'interactionId = :i', ExpressionAttributeValues: { ':i': interactionId } }
            : {}),
        }),
      );
      return Attributes && typeof Attributes.body === 'string' ? (JSON.parse(Attributes.body) as PendingInteraction) : undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }
}
