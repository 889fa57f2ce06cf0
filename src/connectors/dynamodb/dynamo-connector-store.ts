import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import { ConnectorNameTaken, type ConnectorStore } from '../connector-store.js';
import type { Connector } from '../types.js';
import { connectorKeys } from './connector-keys.js';
import { NameClaims } from './name-claims.js';
import { bodyOf, queryItems, type Item } from './query-items.js';

/** Attempts at taking over a stale claim before giving up: each failure means another writer moved it. */
const CLAIM_ATTEMPTS = 3;

const byName = (a: Connector, b: Connector) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Connector configs in the storage's DynamoDB table: `ORG#<org>` / `CONNECTOR#<id>` with the record
 * as JSON, plus a name-claim item per name (name-claims.ts).
 *
 * Without transactions (DynamoDB-compatible local servers lack them), a put is three writes: claim
 * the name, write the connector, release the old name after a rename. A connector is shown only while
 * the claim of its name points at it, so two connectors can never be shown under one name, whatever
 * crashes between those writes. A claim whose holder no longer carries the name (its writer died, or
 * a release was lost) is taken over; a writer whose claim was taken over while it was writing sees
 * that afterwards, puts back what it replaced and fails with ConnectorNameTaken.
 */
export class DynamoConnectorStore implements ConnectorStore {
  private readonly claims: NameClaims;

  constructor(private readonly access: DynamoTableAccess) {
    this.claims = new NameClaims(access);
  }

  async list(organizationId: string): Promise<Connector[]> {
    const partition = connectorKeys.organizationPartition(organizationId);
    const holders = new Map<string, unknown>();
    for await (const claim of this.query(partition, connectorKeys.namePrefix)) {
      holders.set((claim.sk as string).slice(connectorKeys.namePrefix.length), claim.connectorId);
    }
    const shown: Connector[] = [];
    for await (const item of this.query(partition, connectorKeys.connectorPrefix)) {
      const connector = bodyOf<Connector>(item);
      if (connector && holders.get(connector.name) === connector.id) shown.push(connector);
    }
    return shown.sort(byName);
  }

  async get(organizationId: string, id: string): Promise<Connector | undefined> {
    const connector = bodyOf<Connector>(await this.item(organizationId, id));
    if (!connector) return undefined;
    return (await this.claims.holder(organizationId, connector.name)) === id ? connector : undefined;
  }

  async put(connector: Connector): Promise<Connector> {
    const { organizationId, id, name } = connector;
    const replaced = await this.item(organizationId, id);
    await this.claimName(connector);
    await this.write(this.itemOf(connector));
    if ((await this.claims.holder(organizationId, name)) !== id) {
      // Taken over between our claim and our write: undo the write, so the loser leaves no trace.
      await (replaced ? this.write(replaced) : this.remove(organizationId, id));
      throw new ConnectorNameTaken(name);
    }
    const previousName = replaced?.name;
    if (typeof previousName === 'string' && previousName !== name) await this.claims.release(organizationId, previousName, id);
    return structuredClone(connector);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const removed = await this.remove(organizationId, id);
    if (!removed) return false;
    // The connector goes first: a crash before this release leaves a claim nobody carries, which the next claimant takes over.
    if (typeof removed.name === 'string') await this.claims.release(organizationId, removed.name, id);
    return true;
  }

  /** Claims the connector's name, taking over a claim whose holder no longer carries it; throws when the name is in use. */
  private async claimName({ organizationId, id, name }: Connector): Promise<void> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (await this.claims.claim(organizationId, name, id)) return;
      const holder = await this.claims.holder(organizationId, name);
      if (holder === undefined) continue; // released meanwhile: claim again
      if (holder !== id && (await this.carries(organizationId, holder, name))) throw new ConnectorNameTaken(name);
      if (await this.claims.takeOver(organizationId, name, id, holder)) return;
    }
    throw new ConnectorNameTaken(name);
  }

  /** Whether connector `id` exists under `name`: whether its claim of the name is live. */
  private async carries(organizationId: string, id: string, name: string): Promise<boolean> {
    return (await this.item(organizationId, id))?.name === name;
  }

  private itemOf(connector: Connector): Item {
    return { ...connectorKeys.connector(connector.organizationId, connector.id), entity: 'connector', name: connector.name, body: JSON.stringify(connector) };
  }

  private async item(organizationId: string, id: string): Promise<Item | undefined> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: connectorKeys.connector(organizationId, id), ConsistentRead: true }),
    );
    return Item;
  }

  private async write(item: Item): Promise<void> {
    await this.access.doc.send(new PutCommand({ TableName: this.access.table, Item: item }));
  }

  /** Deletes the connector item and returns what it held (undefined when there was none). */
  private async remove(organizationId: string, id: string): Promise<Item | undefined> {
    try {
      const { Attributes } = await this.access.doc.send(
        new DeleteCommand({
          TableName: this.access.table,
          Key: connectorKeys.connector(organizationId, id),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  private query(partition: string, prefix: string): AsyncGenerator<Item> {
    return queryItems(this.access.doc, {
      TableName: this.access.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      ConsistentRead: true,
    });
  }
}
