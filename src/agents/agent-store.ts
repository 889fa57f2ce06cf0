import type { AgentConfig } from './types.js';

/**
 * Agent configs, keyed by (organization, agent id): an agent id of another organization is simply
 * not found. Every read goes to the backend, so a change is seen by the next turn on every replica.
 */
export interface AgentStore {
  get(organizationId: string, agentId: string): Promise<AgentConfig | undefined>;
  /** The organization's agents, by agent id. */
  list(organizationId: string): Promise<AgentConfig[]>;
  /** Creates or replaces. */
  put(agent: AgentConfig): Promise<AgentConfig>;
  /** False when there was nothing to delete. */
  delete(organizationId: string, agentId: string): Promise<boolean>;
}

export const byAgentId = (a: AgentConfig, b: AgentConfig): number => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);

export class MemoryAgentStore implements AgentStore {
  private readonly agents = new Map<string, AgentConfig>();

  private static key(organizationId: string, agentId: string): string {
    return `${organizationId}\u0000${agentId}`;
  }

  async get(organizationId: string, agentId: string): Promise<AgentConfig | undefined> {
    const found = this.agents.get(MemoryAgentStore.key(organizationId, agentId));
    return found && structuredClone(found);
  }

  async list(organizationId: string): Promise<AgentConfig[]> {
    return [...this.agents.values()].filter((a) => a.organizationId === organizationId).sort(byAgentId).map((a) => structuredClone(a));
  }

  async put(agent: AgentConfig): Promise<AgentConfig> {
    this.agents.set(MemoryAgentStore.key(agent.organizationId, agent.agentId), structuredClone(agent));
    return structuredClone(agent);
  }

  async delete(organizationId: string, agentId: string): Promise<boolean> {
    return this.agents.delete(MemoryAgentStore.key(organizationId, agentId));
  }
}
