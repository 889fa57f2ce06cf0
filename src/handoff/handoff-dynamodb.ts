import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../storage/dynamodb/dynamo-storage.js';
import type { HandoffStore } from './handoff-store.js';
import type { HandoffRecord, HandoffState, Operator, PresenceRecord, TurnNote } from './types.js';

const pk = (organizationId: string) => `ORG#${organizationId}`;
const handoffSk = (conversationId: string) => `HANDOFF#${conversationId}`;
const presenceSk = (operatorId: string) => `OPERATOR#${operatorId}`;

/** Handoffs and presence in the storage's DynamoDB table, under the organization's partition. */
export class DynamoHandoffStore implements HandoffStore {
  constructor(private readonly access: DynamoTableAccess) {}

  private async query(organizationId: string, prefix: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.access.doc.send(
        new QueryCommand({
          TableName: this.access.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk(organizationId), ':prefix': prefix },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async get(organizationId: string, conversationId: string): Promise<HandoffRecord | undefined> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: { pk: pk(organizationId), sk: handoffSk(conversationId) }, ConsistentRead: true }),
    );
    return Item && typeof Item.body === 'string' ? (JSON.parse(Item.body) as HandoffRecord) : undefined;
  }

  async put(record: HandoffRecord, expectedVersion: number): Promise<boolean> {
    try {
      await this.access.doc.send(
        new PutCommand({
          TableName: this.access.table,
          Item: { pk: pk(record.organizationId), sk: handoffSk(record.conversationId), entity: 'handoff', version: record.version, state: record.state, body: JSON.stringify(record) },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async list(organizationId: string, states: readonly HandoffState[]): Promise<HandoffRecord[]> {
    const items = await this.query(organizationId, 'HANDOFF#');
    return items
      .filter((i) => typeof i.body === 'string')
      .map((i) => JSON.parse(i.body as string) as HandoffRecord)
      .filter((r) => states.includes(r.state));
  }

  async heartbeat(p: PresenceRecord): Promise<void> {
    await this.access.doc.send(
      new PutCommand({
        TableName: this.access.table,
        Item: { pk: pk(p.organizationId), sk: presenceSk(p.operatorId), entity: 'operator_presence', name: p.name, seenAt: p.seenAt },
      }),
    );
  }

  async online(organizationId: string, since: string): Promise<Operator[]> {
    const cutoff = Date.parse(since);
    return (await this.query(organizationId, 'OPERATOR#'))
      .filter((i) => typeof i.seenAt === 'string' && Date.parse(i.seenAt) >= cutoff)
      .map((i) => ({ id: String(i.sk).slice('OPERATOR#'.length), name: String(i.name) }));
  }

  async leave(organizationId: string, operatorId: string): Promise<void> {
    await this.access.doc.send(new DeleteCommand({ TableName: this.access.table, Key: { pk: pk(organizationId), sk: presenceSk(operatorId) } }));
  }

  async trackSession(organizationId: string, conversationId: string, sessionId: string): Promise<void> {
    // Its own key prefix, so listing the queue never reads one item per conversation.
    await this.access.doc.send(
      new PutCommand({ TableName: this.access.table, Item: { pk: pk(organizationId), sk: `CONVSESSION#${conversationId}`, entity: 'conversation_session', sessionId } }),
    );
  }

  async sessionOf(organizationId: string, conversationId: string): Promise<string | undefined> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: { pk: pk(organizationId), sk: `CONVSESSION#${conversationId}` }, ConsistentRead: true }),
    );
    return typeof Item?.sessionId === 'string' ? Item.sessionId : undefined;
  }

  async addNote(note: TurnNote): Promise<void> {
    await this.access.doc.send(
      new PutCommand({
        TableName: this.access.table,
        // The creation time leads the sort key so a conversation's notes come back oldest first.
        Item: { pk: pk(note.organizationId), sk: `NOTE#${note.conversationId}#${note.createdAt}#${note.messageId}`, entity: 'turn_note', body: JSON.stringify(note) },
      }),
    );
  }

  async notes(organizationId: string, conversationId: string): Promise<TurnNote[]> {
    return (await this.query(organizationId, `NOTE#${conversationId}#`)).filter((i) => typeof i.body === 'string').map((i) => JSON.parse(i.body as string) as TurnNote);
  }
}
