import type { Connector } from './types.js';

/** Another connector in the organization already has this name (names key the indexing runs). */
export class ConnectorNameTaken extends Error {
  constructor(readonly connectorName: string) {
    super(`a connector named '${connectorName}' already exists`);
    this.name = 'ConnectorNameTaken';
  }
}

/**
 * Connector configurations, per organization. Kept to four calls so a durable backend (a
 * `connector_configs` table keyed by `(organization_id, id)` with a unique `(organization_id, name)`,
 * or `ORG#org / CONNECTOR#id` items) is a small adapter. Every implementation must pass
 * test/contracts/connector-store-contract.ts.
 */
export interface ConnectorStore {
  /** The organization's connectors, by name. */
  list(organizationId: string): Promise<Connector[]>;
  get(organizationId: string, id: string): Promise<Connector | undefined>;
  /**
   * Inserts or replaces by `(organizationId, id)`. Throws `ConnectorNameTaken` when a different
   * connector of the organization has the same name; the check and the write are one atomic step.
   */
  put(connector: Connector): Promise<Connector>;
  delete(organizationId: string, id: string): Promise<boolean>;
}
