import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../storage/dynamodb/dynamo-storage.js';
import { byAgentId, type AgentStore } from './agent-store.js';
import type { AgentConfig } from './types.js';

/** `ORG#<org>` / `AGENT#<id>`: an organization's agents share its partition, so listing is one query. */
const PREFIX = 'AGENT#';
const key = (organizationId: string, agentId: string) => ({ pk: `ORG#${organizationId}`, sk: `${PREFIX}${agentId}` });

/** Agents in the storage's DynamoDB table, the whole record as JSON in `body`. */
export class DynamoAgentStore implements AgentStore {
  constructor(private readonly access: DynamoTableAccess) {}

  async get(organizationId: string, agentId: string): Promise<AgentConfig | undefined> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: key(organizationId, agentId), ConsistentRead: true }),
    );
    return Item && typeof Item.body === 'string' ? (JSON.parse(Item.body) as AgentConfig) : undefined;
  }

  async list(organizationId: string): Promise<AgentConfig[]> {
    const agents: AgentConfig[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.access.doc.send(
        new QueryCommand({
          TableName: this.access.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `ORG#${organizationId}`, ':prefix': PREFIX },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) if (typeof item.body === 'string') agents.push(JSON.parse(item.body) as AgentConfig);
      start = page.LastEvaluatedKey;
    } while (start);
    return agents.sort(byAgentId);
  }

  async put(agent: AgentConfig): Promise<AgentConfig> {
    const record = structuredClone(agent);
    await this.access.doc.send(
      new PutCommand({ TableName: this.access.table, Item: { ...key(agent.organizationId, agent.agentId), entity: 'agent', body: JSON.stringify(record) } }),
    );
    return record;
  }

  async delete(organizationId: string, agentId: string): Promise<boolean> {
    const { Attributes } = await this.access.doc.send(
      new DeleteCommand({ TableName: this.access.table, Key: key(organizationId, agentId), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
