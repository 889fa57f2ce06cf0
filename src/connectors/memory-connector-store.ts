import { ConnectorNameTaken, type ConnectorStore } from './connector-store.js';
import type { Connector } from './types.js';

/** Process-memory connector store; one map per organization, so ids and names never meet across orgs. */
export class MemoryConnectorStore implements ConnectorStore {
  private readonly byOrg = new Map<string, Map<string, Connector>>();

  async list(organizationId: string): Promise<Connector[]> {
    const all = [...(this.byOrg.get(organizationId)?.values() ?? [])];
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => structuredClone(c));
  }

  async get(organizationId: string, id: string): Promise<Connector | undefined> {
    const found = this.byOrg.get(organizationId)?.get(id);
    return found && structuredClone(found);
  }

  async put(connector: Connector): Promise<Connector> {
    let org = this.byOrg.get(connector.organizationId);
    for (const other of org?.values() ?? []) {
      if (other.id !== connector.id && other.name === connector.name) throw new ConnectorNameTaken(connector.name);
    }
    if (!org) {
      org = new Map();
      this.byOrg.set(connector.organizationId, org);
    }
    org.set(connector.id, structuredClone(connector));
    return structuredClone(connector);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    return this.byOrg.get(organizationId)?.delete(id) ?? false;
  }
}
