import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../storage/dynamodb/dynamo-storage.js';
import type { AgentSettings, SettingsStore } from './settings-store.js';

/** The reference's key: `ORG#<org>` / `SETTINGS#`, the whole record as JSON (persona included). */
const key = (organizationId: string) => ({ pk: `ORG#${organizationId}`, sk: 'SETTINGS#' });

/** Settings in the storage's DynamoDB table. */
export class DynamoSettingsStore implements SettingsStore {
  constructor(private readonly access: DynamoTableAccess) {}

  async get(organizationId: string): Promise<AgentSettings> {
    const { Item } = await this.access.doc.send(new GetCommand({ TableName: this.access.table, Key: key(organizationId), ConsistentRead: true }));
    if (!Item || typeof Item.body !== 'string') return { organizationId, defaultTools: [], updatedAt: null };
    return JSON.parse(Item.body) as AgentSettings;
  }

  async put(settings: AgentSettings): Promise<AgentSettings> {
    const record = structuredClone(settings);
    await this.access.doc.send(
      new PutCommand({ TableName: this.access.table, Item: { ...key(settings.organizationId), entity: 'settings', body: JSON.stringify(record) } }),
    );
    return record;
  }
}
