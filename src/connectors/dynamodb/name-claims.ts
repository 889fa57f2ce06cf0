import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import { connectorKeys } from './connector-keys.js';

async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/**
 * One item per (organization, connector name) naming the connector that holds it. DynamoDB
 * serializes writes to one item, so a conditional put on it is the atomic "is the name free?" check
 * that a SQL unique constraint gives the other backends. The claim, not the connector item, is the
 * authority: a connector whose name is claimed by another id is not shown (see DynamoConnectorStore).
 */
export class NameClaims {
  constructor(private readonly access: DynamoTableAccess) {}

  /** The connector id holding `name`, if any (strongly consistent). */
  async holder(organizationId: string, name: string): Promise<string | undefined> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: connectorKeys.name(organizationId, name), ConsistentRead: true }),
    );
    return typeof Item?.connectorId === 'string' ? Item.connectorId : undefined;
  }

  /** Takes `name` for `connectorId` when it is free or already theirs; false when another id holds it. */
  claim(organizationId: string, name: string, connectorId: string): Promise<boolean> {
    return conditionally(
      this.access.doc.send(
        new PutCommand({
          TableName: this.access.table,
          Item: { ...connectorKeys.name(organizationId, name), entity: 'connector-name', connectorId },
          ConditionExpression: 'attribute_not_exists(pk) OR connectorId = :id',
          ExpressionAttributeValues: { ':id': connectorId },
        }),
      ),
    );
  }

  /** Moves the claim from `from` to `connectorId`; false when it changed hands meanwhile. */
  takeOver(organizationId: string, name: string, connectorId: string, from: string): Promise<boolean> {
    return conditionally(
      this.access.doc.send(
        new PutCommand({
          TableName: this.access.table,
          Item: { ...connectorKeys.name(organizationId, name), entity: 'connector-name', connectorId },
          ConditionExpression: 'connectorId = :from',
          ExpressionAttributeValues: { ':from': from },
        }),
      ),
    );
  }

  /** Gives `name` up, unless someone else holds it by now. */
  async release(organizationId: string, name: string, connectorId: string): Promise<void> {
    await conditionally(
      this.access.doc.send(
        new DeleteCommand({
          TableName: this.access.table,
          Key: connectorKeys.name(organizationId, name),
          ConditionExpression: 'connectorId = :id',
          ExpressionAttributeValues: { ':id': connectorId },
        }),
      ),
    );
  }
}
